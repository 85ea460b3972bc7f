import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { normalizeCurrency } from '../providers/money';
import { fetchFailure } from '../providers/http-error';
import { readSecretList } from '../secrets/read-secret';
import type { CliIo } from './cli-io';
import { callBackThroughFakeMvola } from './fake-mvola-callback';
import {
  eventTypeFor,
  OUTCOMES,
  PROVIDER_EVENTS,
  PROVIDER_KINDS,
  type BuiltEvent,
  type EventFacts,
  type Outcome,
  type ProviderKind,
} from './provider-events';
import { signDelivery } from './signed-delivery';
import { CliUsageError } from './usage.error';
import { payqiDecimals } from './wire-amounts';

export const SEND_USAGE = `Usage: nestjs-payment-webhooks send <endpoint> --url <app base url>
         --reference <ref> --amount <minor units> --currency <code> [options]

Sends the app one realistic provider event, signed exactly as the provider signs it, to
<url>/webhooks/<endpoint>, and prints the HTTP status and the answer. Exits 0 on a 2xx answer,
1 otherwise, 2 when the command line needs fixing.

  <endpoint>            stripe, paystack, feexpay, payqi, mvola or standard-webhooks: the name selects
                        the provider; another endpoint name needs --provider
  --url <url>           the app's base URL, e.g. http://localhost:3000
  --outcome <outcome>   completed (default), failed, expired or refunded, sent as the provider's event:
                          stripe     checkout.session.completed, checkout.session.async_payment_failed,
                                     checkout.session.expired, charge.refunded
                          paystack   charge.success, -, -, refund.processed
                          feexpay    payment.completed, payment.failed, -, refund.issued
                          payqi      payment.completed, payment.failed, payment.expired, -
                          mvola      callback status completed, failed, -, -
                          standard-webhooks  payment.completed, payment.failed, payment.expired,
                                     payment.refunded (the demo's message shape)
  --reference <ref>     the merchant reference, read back as PaymentEvent.reference
  --amount <n>          integer minor units, read back as PaymentEvent.amountMinor (2500 = 25.00 EUR);
                        written in the provider's format (PayQI 10500000 XRP → 10.5). MVola: not sent
  --currency <code>     read back as PaymentEvent.currency (EUR, NGN, XOF, XRP, MGA…)
  --event-id <id>       what the app dedupes on, random by default: the event id (Stripe, PayQI), data.id
                        (Paystack), transaction_id (FeexPay), webhook-id (Standard Webhooks); MVola:
                        required, MVola's serverCorrelationId of the payment (the app confirms it there)
  --secret <secret>     the signing secret (MVola: the callback token); better from the environment:
  --secret-env <NAME>   read it from NAME, NAME_FILE or /run/secrets/<name>. Default, as the demo reads
                        them: STRIPE_WEBHOOK_SECRET, PAYSTACK_SECRET_KEY, FEEXPAY_WEBHOOK_SECRET,
                        PAYQI_WEBHOOK_SECRET, MVOLA_CALLBACK_TOKEN, STANDARD_WEBHOOKS_SECRET (the
                        first of a comma-separated list)
  --path <path>         the endpoint's path instead of /webhooks/<endpoint>
  --provider <name>     the provider of an endpoint with another name: send stripe-eu --provider stripe
  --decimals <n>        PayQI: decimal places of an asset other than XRP, USDT, USDC (payqi({ decimals }))
  --body <file>         send this exact JSON body, signed, instead of building one
  --fake-mvola <url>    MVola against the fake MVola API (npm run demo:fake-mvola): the fake settles the
                        payment the app started for --reference and calls the app back itself

The secret is never printed.`;

/** The variable each provider's secret is read from, as the demo (and its deployment) names it. */
export const SECRET_VARIABLES: Readonly<Record<ProviderKind, string>> = {
  stripe: 'STRIPE_WEBHOOK_SECRET',
  paystack: 'PAYSTACK_SECRET_KEY',
  feexpay: 'FEEXPAY_WEBHOOK_SECRET',
  payqi: 'PAYQI_WEBHOOK_SECRET',
  mvola: 'MVOLA_CALLBACK_TOKEN',
  'standard-webhooks': 'STANDARD_WEBHOOKS_SECRET',
};

const REQUEST_TIMEOUT_MS = 30_000;
const MAX_DECIMALS = 15;

type Env = NodeJS.ProcessEnv;

interface SendRequest {
  endpoint: string;
  kind: ProviderKind;
  outcome: Outcome;
  type: string;
  reference?: string;
  amountMinor?: number;
  currency?: string;
  eventId?: string;
  decimals?: number;
  body?: { file: string; text: string };
  fakeMvola?: string;
  url?: string;
  path: string;
  secret?: string;
}

/** `nestjs-payment-webhooks send …`; resolves to the exit code. */
export async function runSendCommand(argv: string[], env: Env, io: CliIo): Promise<number> {
  let request: SendRequest | 'help';
  try {
    request = parseSendArgs(argv, env);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.err(`${error.message}\nRun "nestjs-payment-webhooks send --help" for every option.`);
    return 2;
  }
  if (request === 'help') {
    io.out(SEND_USAGE);
    return 0;
  }
  if (request.fakeMvola) return sendThroughFakeMvola(request, io);
  // Every line goes through the redaction: an answer, an error or MVola's URL can never show the secret.
  const secret = request.secret!;
  const safe: CliIo = { out: (line) => io.out(redact(line, secret)), err: (line) => io.err(redact(line, secret)) };
  try {
    return await sendToApp(request, safe);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    safe.err(error.message);
    return 2;
  }
}

function parseSendArgs(argv: string[], env: Env): SendRequest | 'help' {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        outcome: { type: 'string' },
        reference: { type: 'string' },
        amount: { type: 'string' },
        currency: { type: 'string' },
        'event-id': { type: 'string' },
        secret: { type: 'string' },
        'secret-env': { type: 'string' },
        path: { type: 'string' },
        provider: { type: 'string' },
        decimals: { type: 'string' },
        body: { type: 'string' },
        'fake-mvola': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const option = (name: string) => values[name] as string | undefined;

  const [endpoint, ...extra] = positionals;
  if (!endpoint) {
    throw new CliUsageError(`Name the endpoint to send to: nestjs-payment-webhooks send <${PROVIDER_KINDS.join('|')}> --url <app base url> …`);
  }
  if (extra.length) {
    const unexpected = extra.map((arg) => `"${arg}"`).join(' ');
    throw new CliUsageError(`Unexpected argument(s) ${unexpected}: send takes one endpoint; give everything else as --options.`);
  }
  const kind = providerKindOf(endpoint, option('provider'));

  const outcome = (option('outcome') ?? 'completed') as Outcome;
  if (!OUTCOMES.includes(outcome)) throw new CliUsageError(`--outcome must be one of ${OUTCOMES.join(', ')}, got "${outcome}".`);
  const mapped = eventTypeFor(kind, outcome);
  const body = option('body') === undefined ? undefined : readBody(option('body')!);
  if ('problem' in mapped && !body) throw new CliUsageError(mapped.problem);
  const type = 'type' in mapped ? mapped.type : '';

  const fakeMvola = option('fake-mvola');
  if (fakeMvola !== undefined) {
    if (kind !== 'mvola') throw new CliUsageError('--fake-mvola is for the mvola endpoint only.');
    if (body) throw new CliUsageError('--fake-mvola builds the callback in the fake: leave out --body.');
    httpUrl('--fake-mvola', fakeMvola);
  }

  const reference = option('reference');
  const sendsAmount = PROVIDER_EVENTS[kind].sendsAmount;
  if (!body) {
    if (!reference) {
      throw new CliUsageError("--reference is required: the merchant reference the app looks the payment up by (e.g. a registration's REG-…).");
    }
    if (reference.trim() !== reference || reference.length > 200) {
      throw new CliUsageError('--reference must have no surrounding spaces and at most 200 characters.');
    }
    const label = PROVIDER_EVENTS[kind].label;
    if (sendsAmount && option('amount') === undefined) {
      throw new CliUsageError(
        `--amount is required for ${label}: the amount in minor units, as the app expects it in PaymentEvent.amountMinor (e.g. 2500 for 25.00 EUR).`,
      );
    }
    if (sendsAmount && option('currency') === undefined) throw new CliUsageError(`--currency is required for ${label}, e.g. --currency EUR.`);
  }
  const amountMinor = option('amount') === undefined ? undefined : minorUnitsOf(option('amount')!);
  const currency = option('currency') === undefined ? undefined : currencyOf(option('currency')!);
  if (kind === 'mvola' && currency !== undefined && currency !== 'MGA') {
    throw new CliUsageError(`MVola moves Ariary only: --currency must be MGA (or Ar), got ${option('currency')}.`);
  }
  const decimals = option('decimals') === undefined ? undefined : decimalsOf(option('decimals')!);
  if (decimals !== undefined && kind !== 'payqi') throw new CliUsageError('--decimals is for PayQI only (the asset\'s decimal places).');
  // PayQI writes decimal amounts: the asset's decimal places must be known before anything is sent.
  if (kind === 'payqi' && currency !== undefined && !body) payqiDecimals(currency, decimals);

  const eventId = option('event-id');
  if (eventId !== undefined && (eventId === '' || eventId.length > 200 || /\s/.test(eventId))) {
    throw new CliUsageError('--event-id must be 1 to 200 characters without spaces.');
  }
  if (kind === 'mvola' && !body && fakeMvola === undefined && eventId === undefined) {
    throw new CliUsageError(
      "--event-id is required for MVola: its callback names the payment by MVola's serverCorrelationId, and the app confirms that id " +
        "with MVola's status look-up before anything changes. Pass the serverCorrelationId MVola answered when the payment was started, " +
        'or --fake-mvola <url> with the fake MVola API (npm run demo:fake-mvola).',
    );
  }

  const path = option('path') ?? `/webhooks/${endpoint}`;
  if (!path.startsWith('/') || /[?#\s]/.test(path)) {
    throw new CliUsageError(`--path must be a path starting with "/", without query or spaces, got "${path}".`);
  }
  const url = option('url');
  if (fakeMvola === undefined) {
    if (url === undefined) throw new CliUsageError('No app URL: pass --url <app base url>, e.g. --url http://localhost:3000.');
    httpUrl('--url', url);
  }

  return {
    endpoint,
    kind,
    outcome,
    type,
    reference,
    amountMinor,
    currency,
    eventId,
    decimals,
    body,
    fakeMvola,
    url: url?.replace(/\/+$/, ''),
    path,
    secret: fakeMvola === undefined ? secretOf(kind, option('secret'), option('secret-env'), env) : undefined,
  };
}

function providerKindOf(endpoint: string, provider: string | undefined): ProviderKind {
  const name = provider ?? endpoint;
  if ((PROVIDER_KINDS as readonly string[]).includes(name)) return name as ProviderKind;
  if (provider !== undefined) throw new CliUsageError(`--provider must be one of ${PROVIDER_KINDS.join(', ')}, got "${provider}".`);
  throw new CliUsageError(
    `"${endpoint}" is not a provider name: name the endpoint's provider with --provider <${PROVIDER_KINDS.join('|')}> (e.g. send ${endpoint} --provider stripe).`,
  );
}

function minorUnitsOf(text: string): number {
  const amount = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(amount)) {
    throw new CliUsageError(`--amount must be a whole number of minor units (2500 for 25.00 EUR, 10500000 for 10.5 XRP), got "${text}".`);
  }
  return amount;
}

function currencyOf(text: string): string {
  if (!/^[A-Za-z]{2,10}$/.test(text)) {
    throw new CliUsageError(`--currency must be a currency or asset code such as EUR, NGN, XOF or XRP, got "${text}".`);
  }
  // The library's own spellings: FCFA is XOF, Ar is MGA.
  return normalizeCurrency(text)!;
}

function decimalsOf(text: string): number {
  const decimals = Number(text);
  if (!/^\d+$/.test(text) || decimals > MAX_DECIMALS) {
    throw new CliUsageError(`--decimals must be a whole number from 0 to ${MAX_DECIMALS}, got "${text}".`);
  }
  return decimals;
}

function httpUrl(option: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliUsageError(`${option} must be an absolute http(s) URL such as http://localhost:3000, got "${value}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliUsageError(`${option} must be an http(s) URL, got "${value}".`);
}

function readBody(file: string): { file: string; text: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliUsageError(`--body ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  try {
    JSON.parse(text);
  } catch {
    throw new CliUsageError(`--body ${file} is not JSON; providers send JSON bodies.`);
  }
  return { file, text };
}

/** --secret, else the variable (NAME, NAME_FILE, /run/secrets/name) read as the app reads it: the first of a rotation list signs. */
function secretOf(kind: ProviderKind, given: string | undefined, variable: string | undefined, env: Env): string {
  if (given !== undefined) {
    if (given === '') throw new CliUsageError('--secret is empty.');
    return given;
  }
  const name = variable ?? SECRET_VARIABLES[kind];
  let secrets: string[];
  try {
    secrets = readSecretList(name, env);
  } catch (error) {
    // readSecret names the variable and the path, never a value.
    throw new CliUsageError((error as Error).message);
  }
  if (!secrets.length) {
    throw new CliUsageError(
      `No secret for ${PROVIDER_EVENTS[kind].label}: set ${name} (or ${name}_FILE) to the value the app has, pass --secret-env <NAME>, or --secret.`,
    );
  }
  return secrets[0];
}

async function sendToApp(request: SendRequest, io: CliIo): Promise<number> {
  const built = request.body ? bodyEvent(request) : PROVIDER_EVENTS[request.kind].build(factsOf(request), request.type);
  const delivery = signDelivery(request.kind, built.payload, { secret: request.secret!, path: request.path, eventId: built.eventId });
  const target = `${request.url}${delivery.path}`;
  io.out(`${delivery.method} ${target}`);
  io.out(`  ${describe(request, built)}`);
  if (request.kind === 'mvola' && request.amountMinor !== undefined && !request.body) {
    io.out("  (MVola's callback carries no amount: --amount is not sent; the app compares with its own record)");
  }

  let response: Response;
  let answer: string;
  try {
    const { method, headers, body } = delivery;
    response = await fetch(target, { method, headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    answer = await response.text();
  } catch (error) {
    io.err(`Could not reach ${request.url} (${unreachable(error)}): is the app running there?`);
    return 1;
  }
  io.out(`HTTP ${response.status} ${response.statusText}`.trimEnd());
  if (answer !== '') io.out(answer);
  if (!response.ok) {
    const hint = failureHint(request, response.status);
    if (hint) io.err(hint);
    return 1;
  }
  if (duplicateOf(answer)) {
    io.out(`The app already had this event (the same ${request.eventId === undefined ? 'body' : '--event-id'}): it was stored once.`);
  }
  if (request.kind === 'mvola') {
    const status = `MVola's status look-up, so the payment changes only once MVola reports it ${built.type}`;
    io.out(`MVola callbacks are hints: the app confirms ${built.eventId} with ${status}.`);
  }
  return 0;
}

async function sendThroughFakeMvola(request: SendRequest, io: CliIo): Promise<number> {
  const fake = request.fakeMvola!.replace(/\/+$/, '');
  let result;
  try {
    result = await callBackThroughFakeMvola(fake, { reference: request.reference!, serverCorrelationId: request.eventId }, request.type);
  } catch (error) {
    io.err((error as Error).message);
    return 1;
  }
  io.out(`Fake MVola ${fake}: payment ${result.serverCorrelationId} (reference ${request.reference}) is now ${request.type};`);
  io.out("  the fake PUT its callback to the X-Callback-URL the app gave when it started the payment, and will confirm that status.");
  if (result.appStatus === undefined) {
    io.err(result.problem!);
    return 1;
  }
  io.out(`HTTP ${result.appStatus}`);
  return result.appStatus >= 200 && result.appStatus < 300 ? 0 : 1;
}

function factsOf(request: SendRequest): EventFacts {
  return {
    outcome: request.outcome,
    reference: request.reference!,
    amountMinor: request.amountMinor,
    currency: request.currency,
    eventId: request.eventId,
    decimals: request.decimals,
    now: new Date(),
  };
}

function bodyEvent(request: SendRequest): BuiltEvent {
  const parsed = JSON.parse(request.body!.text) as Record<string, unknown>;
  // Whatever names the event in the providers' bodies, for the printed line.
  const named = [parsed.type, parsed.event, parsed.event_type, parsed.transactionStatus, parsed.status].find((value) => typeof value === 'string');
  const eventId = request.eventId ?? (request.kind === 'standard-webhooks' ? `msg_cli_${Date.now()}` : '');
  return { type: (named as string | undefined) ?? 'event', eventId, payload: request.body!.text };
}

function describe(request: SendRequest, built: BuiltEvent): string {
  if (request.body) return `${built.type} from ${request.body.file}, signed as ${PROVIDER_EVENTS[request.kind].label}`;
  const sent = request.amountMinor !== undefined && PROVIDER_EVENTS[request.kind].sendsAmount;
  const amount = sent ? `, ${request.amountMinor} ${request.currency} in minor units` : '';
  return `${built.type} ${built.eventId} for reference ${request.reference}${amount}`;
}

function failureHint(request: SendRequest, status: number): string | undefined {
  const variable = SECRET_VARIABLES[request.kind];
  if (status === 401) {
    return request.kind === 'mvola'
      ? `The app refused the callback token: send the token the app has (${variable}).`
      : `The app refused the signature: sign with the secret the app has for this endpoint (${variable}, or --secret-env/--secret).`;
  }
  if (status === 404 || status === 405) {
    const where = `No ${request.kind} endpoint answers at ${request.path}`;
    return `${where}: is it mounted (its secret set in the app)? Use --path if it is served elsewhere.`;
  }
  if (status === 403) return 'The app refused this address (an IP allow-list): send from an allowed address.';
  return undefined;
}

/** Why fetch failed: the system error code (ECONNREFUSED…) or fetch's own reason ("bad port"), which it keeps in `cause`. */
function unreachable(error: unknown): string {
  const failure = fetchFailure(error);
  if (failure.timedOut) return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = (error as { cause?: { message?: unknown } } | undefined)?.cause?.message;
  return failure.code ?? (typeof cause === 'string' ? cause : undefined) ?? failure.message ?? String(error);
}

function duplicateOf(answer: string): boolean {
  try {
    return (JSON.parse(answer) as { duplicate?: unknown }).duplicate === true;
  } catch {
    return false;
  }
}

function redact(line: string, secret: string): string {
  let safe = line.split(secret).join('[secret]');
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) safe = safe.split(encoded).join('[secret]');
  return safe;
}
