// Settles a demo registration by sending the event its provider would send, signed as that provider
// signs it, with the library's `send` command; the amount and currency are the event's price.
//   npm run demo:pay -- <registration id> [completed|failed|expired|refunded] [more send options]
// Secrets come from the same variables as the demo's (STRIPE_WEBHOOK_SECRET, PAYSTACK_SECRET_KEY…).
import { runWebhooksCli } from '../../../libs/webhooks/src/cli/webhooks-cli';
import { DEVELOPMENT_STRIPE_SECRET } from '../src/payment-providers';

const USAGE =
  'Usage: npm run demo:pay -- <registration id> [completed|failed|expired|refunded] [send options, see npm run webhooks -- send --help]';
// What the demo's MVola talks to in development: the fake of npm run demo:fake-mvola.
const FAKE_MVOLA_URL = 'http://127.0.0.1:4010';

interface Registration {
  eventId: string;
  provider: string;
  reference: string;
}

interface EventPrice {
  priceMinor: number;
  currency: string;
}

async function main(): Promise<number> {
  const [id, ...rest] = process.argv.slice(2);
  if (!id || id.startsWith('-')) {
    console.error(USAGE);
    return 2;
  }
  const outcome = rest[0] !== undefined && !rest[0].startsWith('-') ? rest.shift()! : 'completed';
  const env = process.env;
  const url = (env.PUBLIC_URL || `http://localhost:${env.PORT || 3000}`).replace(/\/+$/, '');

  const registration = await getJson<Registration>(
    `${url}/registrations/${encodeURIComponent(id)}`,
    'the registration (give its id, as POST /events/<id>/registrations answered it)',
  );
  const price = await getJson<EventPrice>(`${url}/events/${registration.eventId}`, 'its event');
  const args = ['send', registration.provider, '--url', url, '--outcome', outcome, '--reference', registration.reference];
  args.push('--amount', String(price.priceMinor), '--currency', price.currency);

  if (registration.provider === 'mvola' && !rest.includes('--event-id') && !rest.includes('--fake-mvola')) {
    // The demo confirms MVola callbacks with MVola's API: locally that API is the fake, which calls back itself.
    const api = env.MVOLA_API_BASE_URL || FAKE_MVOLA_URL;
    if (['localhost', '127.0.0.1', '[::1]'].includes(new URL(api).hostname)) args.push('--fake-mvola', api);
  }
  // With no provider configured, the demo serves Stripe with its public development secret.
  const noSecret = !env.STRIPE_WEBHOOK_SECRET && !env.STRIPE_WEBHOOK_SECRET_FILE;
  const cliEnv = registration.provider === 'stripe' && noSecret ? { ...env, STRIPE_WEBHOOK_SECRET: DEVELOPMENT_STRIPE_SECRET } : env;

  return runWebhooksCli([...args, ...rest], cliEnv, { out: (line) => console.log(line), err: (line) => console.error(line) });
}

async function getJson<T>(url: string, what: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch {
    throw new Error(`Could not reach the demo at ${new URL(url).origin}: start it with npm start (or set PUBLIC_URL / PORT).`);
  }
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: could not read ${what}.`);
  return (await response.json()) as T;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
