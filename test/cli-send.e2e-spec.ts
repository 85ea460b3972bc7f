import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startFakeMvolaApi, type FakeMvolaApi } from 'nestjs-payment-webhooks/testing';
import { runWebhooksCli } from '../libs/webhooks/src/cli/webhooks-cli';
import { createEvent, register, registration, SECRETS, startDemo, type DemoHarness } from './demo/support/demo-app';

// `nestjs-payment-webhooks send` against the real demo app: every provider's event, built and signed
// by the CLI with the app's own environment, must move a registration exactly as the provider's would.
describe('nestjs-payment-webhooks send, against the demo app', () => {
  let fake: FakeMvolaApi;
  let demo: DemoHarness;
  let env: Record<string, string>;
  const printed: string[] = [];
  const secretsDir = mkdtempSync(join(tmpdir(), 'cli-send-'));

  beforeAll(async () => {
    fake = await startFakeMvolaApi();
    env = {
      ...SECRETS,
      MVOLA_API_BASE_URL: fake.url,
      MVOLA_CONSUMER_KEY: fake.consumerKey,
      MVOLA_CONSUMER_SECRET: fake.consumerSecret,
      MVOLA_PARTNER_NAME: 'Demo Events',
      MVOLA_PARTNER_MSISDN: '0343500004',
    };
    demo = await startDemo(env);
  });
  afterAll(async () => {
    await demo?.close();
    await fake?.close();
    rmSync(secretsDir, { recursive: true, force: true });
  });

  /** Runs the CLI in-process, as the bin does; every line it prints is kept for the no-secret check. */
  async function send(argv: string[], cliEnv: Record<string, string> = env) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runWebhooksCli(['send', ...argv], cliEnv, { out: (line) => out.push(line), err: (line) => err.push(line) });
    printed.push(...out, ...err);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  const paid = (provider: string, priceMinor: number, currency: string) => ({ provider, priceMinor, currency });

  async function registered(provider: string, priceMinor: number, currency: string, capacity = 5) {
    const event = await createEvent(demo.url, { priceMinor, currency, capacity });
    return register(demo.url, event.id, { provider, ...(provider === 'mvola' ? { phone: '0343500003' } : {}) });
  }

  /** MVola's id of the payment the demo started for this registration, as MVola answered it. */
  async function serverCorrelationIdOf(reference: string): Promise<string> {
    const payments = (await (await fetch(`${fake.url}/_fake/payments`)).json()) as Array<{ serverCorrelationId: string; reference?: string }>;
    const payment = payments.find((candidate) => candidate.reference === reference);
    if (!payment) throw new Error(`no MVola payment for ${reference}`);
    return payment.serverCorrelationId;
  }

  it.each([paid('stripe', 2500, 'EUR'), paid('paystack', 250_000, 'NGN'), paid('feexpay', 5000, 'XOF'), paid('payqi', 10_500_000, 'XRP'), paid('standard-webhooks', 4200, 'USD')])(
    '$provider: completed → PAID, the amount and currency read back exactly as the price',
    async ({ provider, priceMinor, currency }) => {
      const registration_ = await registered(provider, priceMinor, currency);
      const result = await send([provider, '--url', demo.url, '--reference', registration_.reference, '--amount', String(priceMinor), '--currency', currency]);
      expect(result).toMatchObject({ code: 0, err: '' });
      expect(result.out).toContain(`POST ${demo.url}/webhooks/${provider}`);
      expect(result.out).toMatch(/HTTP 200 OK\n\{"received":true,"id":"[^"]+","duplicate":false\}/);
      expect(await demo.deliveries.runOnce()).toMatchObject({ processed: 1 });
      const after = await registration(demo.url, registration_.id);
      expect(after).toMatchObject({ status: 'PAID', provider });
      expect(after).not.toHaveProperty('paymentIssue');
    },
  );

  it('mvola: the callback with the URL token, confirmed by MVola (the payer approved) → PAID', async () => {
    const registration_ = await registered('mvola', 12_000, 'MGA');
    const serverCorrelationId = await serverCorrelationIdOf(registration_.reference);
    fake.setStatus(serverCorrelationId, 'completed');
    const result = await send(['mvola', '--url', demo.url, '--reference', registration_.reference, '--event-id', serverCorrelationId, '--amount', '12000', '--currency', 'MGA']);
    expect(result).toMatchObject({ code: 0 });
    // The token is in the URL: it is printed redacted.
    expect(result.out).toContain(`PUT ${demo.url}/webhooks/mvola?token=[secret]`);
    expect(result.out).toContain("MVola's callback carries no amount");
    expect(result.out).toContain(`the app confirms ${serverCorrelationId} with MVola's status look-up`);
    expect(await demo.deliveries.runOnce()).toMatchObject({ processed: 1 });
    expect(await registration(demo.url, registration_.id)).toMatchObject({ status: 'PAID', provider: 'mvola' });
  });

  it('mvola: a callback MVola does not confirm changes nothing', async () => {
    const registration_ = await registered('mvola', 12_000, 'MGA');
    const serverCorrelationId = await serverCorrelationIdOf(registration_.reference);
    // MVola still says pending: the callback is stored (200) but the registration stays PENDING.
    expect((await send(['mvola', '--url', demo.url, '--reference', registration_.reference, '--event-id', serverCorrelationId])).code).toBe(0);
    await demo.deliveries.runOnce();
    expect((await registration(demo.url, registration_.id)).status).toBe('PENDING');
  });

  it('mvola --fake-mvola: the fake settles the payment and calls the app back → PAID, then FAILED for another', async () => {
    const first = await registered('mvola', 12_000, 'MGA');
    const result = await send(['mvola', '--fake-mvola', fake.url, '--reference', first.reference]);
    expect(result).toMatchObject({ code: 0, out: expect.stringContaining('HTTP 200') });
    expect(result.out).toContain(`payment ${await serverCorrelationIdOf(first.reference)} (reference ${first.reference}) is now completed`);
    await demo.deliveries.runOnce();
    expect((await registration(demo.url, first.id)).status).toBe('PAID');

    const second = await registered('mvola', 12_000, 'MGA');
    expect((await send(['mvola', '--fake-mvola', fake.url, '--reference', second.reference, '--outcome', 'failed'])).code).toBe(0);
    await demo.deliveries.runOnce();
    expect((await registration(demo.url, second.id)).status).toBe('FAILED');

    const unknown = await send(['mvola', '--fake-mvola', fake.url, '--reference', 'REG-NOSUCHPAYMENT']);
    expect(unknown).toMatchObject({ code: 1, err: expect.stringContaining('has no payment for reference REG-NOSUCHPAYMENT') });
  });

  it('stripe refunded → REFUNDED; paystack refunded → REFUNDED', async () => {
    for (const [provider, priceMinor, currency] of [['stripe', 2500, 'EUR'], ['paystack', 250_000, 'NGN']] as const) {
      const registration_ = await registered(provider, priceMinor, currency);
      const args = [provider, '--url', demo.url, '--reference', registration_.reference, '--amount', String(priceMinor), '--currency', currency];
      expect((await send(args)).code).toBe(0);
      await demo.deliveries.runOnce();
      const refund = await send([...args, '--outcome', 'refunded']);
      expect(refund).toMatchObject({ code: 0, out: expect.stringContaining(provider === 'stripe' ? 'charge.refunded' : 'refund.processed') });
      await demo.deliveries.runOnce();
      expect((await registration(demo.url, registration_.id)).status).toBe('REFUNDED');
    }
  });

  it('feexpay failed → FAILED; payqi expired → EXPIRED; stripe expired → EXPIRED', async () => {
    const cases = [['feexpay', 5000, 'XOF', 'failed', 'FAILED'], ['payqi', 10_500_000, 'XRP', 'expired', 'EXPIRED'], ['stripe', 2500, 'EUR', 'expired', 'EXPIRED']] as const;
    for (const [provider, priceMinor, currency, outcome, status] of cases) {
      const registration_ = await registered(provider, priceMinor, currency);
      const result = await send([provider, '--url', demo.url, '--outcome', outcome, '--reference', registration_.reference, '--amount', String(priceMinor), '--currency', currency]);
      expect(result.code).toBe(0);
      await demo.deliveries.runOnce();
      expect((await registration(demo.url, registration_.id)).status).toBe(status);
    }
  });

  it('a wrong secret: exit 1, the 401 and what to fix printed, and never a secret', async () => {
    const registration_ = await registered('stripe', 2500, 'EUR');
    const result = await send(['stripe', '--url', demo.url, '--reference', registration_.reference, '--amount', '2500', '--currency', 'EUR', '--secret', 'whsec_wrong_cli_secret']);
    expect(result.code).toBe(1);
    expect(result.out).toContain('HTTP 401 Unauthorized');
    expect(result.out).toContain("No v1 signature in Stripe-Signature matches this endpoint's signing secret");
    expect(result.err).toContain('The app refused the signature: sign with the secret the app has for this endpoint (STRIPE_WEBHOOK_SECRET');
    expect(`${result.out}${result.err}`).not.toContain('whsec_wrong_cli_secret');

    const token = await send(['mvola', '--url', demo.url, '--reference', registration_.reference, '--event-id', 'x-1', '--secret', 'wrong-cli-token']);
    expect(token).toMatchObject({ code: 1, out: expect.stringContaining('HTTP 401'), err: expect.stringContaining('refused the callback token') });
    expect(token.out).toContain('?token=[secret]');
    expect(`${token.out}${token.err}`).not.toContain('wrong-cli-token');
    await demo.deliveries.runOnce();
    expect((await registration(demo.url, registration_.id)).status).toBe('PENDING');
  });

  it('reads the secret from NAME_FILE, or from the variable --secret-env names', async () => {
    const file = join(secretsDir, 'paystack-secret');
    writeFileSync(file, `${SECRETS.PAYSTACK_SECRET_KEY}\n`);
    const first = await registered('paystack', 250_000, 'NGN');
    const fromFile = await send(['paystack', '--url', demo.url, '--reference', first.reference, '--amount', '250000', '--currency', 'NGN'], { PAYSTACK_SECRET_KEY_FILE: file });
    expect(fromFile.code).toBe(0);
    const second = await registered('stripe', 2500, 'EUR');
    const named = await send(['stripe', '--url', demo.url, '--reference', second.reference, '--amount', '2500', '--currency', 'EUR', '--secret-env', 'MY_STRIPE'], { MY_STRIPE: 'whsec_test_demo_old' });
    expect(named.code).toBe(0);
    await demo.deliveries.runOnce();
    expect((await registration(demo.url, first.id)).status).toBe('PAID');
    expect((await registration(demo.url, second.id)).status).toBe('PAID');
  });

  it('--path, --provider for another endpoint name, and the same --event-id twice is one delivery', async () => {
    const registration_ = await registered('feexpay', 5000, 'XOF');
    const args = ['--url', demo.url, '--reference', registration_.reference, '--amount', '5000', '--currency', 'FCFA', '--event-id', `txn_${registration_.id.slice(0, 8)}`];
    const legacy = await send(['feexpay', ...args, '--path', '/api/v1/payments/feexpay/webhook/']);
    expect(legacy).toMatchObject({ code: 0, out: expect.stringContaining(`POST ${demo.url}/api/v1/payments/feexpay/webhook/`) });
    const again = await send(['feexpay-legacy', '--provider', 'feexpay', ...args, '--path', '/webhooks/feexpay']);
    expect(again).toMatchObject({ code: 0, out: expect.stringContaining('The app already had this event (the same --event-id): it was stored once.') });
    expect(await demo.deliveries.runOnce()).toMatchObject({ processed: 1 });
    expect((await registration(demo.url, registration_.id)).status).toBe('PAID');

    const missing = await send(['stripe-eu', '--provider', 'stripe', ...args.slice(0, 8)]);
    expect(missing).toMatchObject({ code: 1, out: expect.stringContaining('HTTP 404'), err: expect.stringContaining('No stripe endpoint answers at /webhooks/stripe-eu') });
  });

  it('--body sends an exact body of the app\'s own shape, signed as the provider signs', async () => {
    const registration_ = await registered('standard-webhooks', 4200, 'USD');
    const file = join(secretsDir, 'message.json');
    writeFileSync(file, JSON.stringify({ type: 'payment.completed', data: { id: 'pay_own', reference: registration_.reference, amount: 4200, currency: 'USD' } }));
    const result = await send(['standard-webhooks', '--url', demo.url, '--body', file, '--event-id', 'msg_own_shape']);
    expect(result).toMatchObject({ code: 0, out: expect.stringContaining(`payment.completed from ${file}, signed as Standard Webhooks`) });
    await demo.deliveries.runOnce();
    expect((await registration(demo.url, registration_.id)).status).toBe('PAID');
    expect((await demo.deliveries.find({ provider: 'standard-webhooks', reference: registration_.reference }))[0]).toMatchObject({ eventId: 'msg_own_shape' });
  });

  it('usage errors exit 2 and say what to fix', async () => {
    const base = ['--url', demo.url, '--reference', 'REG-X', '--amount', '100', '--currency', 'NGN'];
    expect(await send(['paystack', ...base, '--outcome', 'failed'])).toMatchObject({ code: 2, err: expect.stringContaining('Paystack sends no event for a failed payment (there is no charge.failed event') });
    expect(await send(['stripe-eu', ...base])).toMatchObject({ code: 2, err: expect.stringContaining('"stripe-eu" is not a provider name: name the endpoint\'s provider with --provider') });
    expect(await send(['stripe', '--url', demo.url, '--reference', 'REG-X', '--currency', 'EUR'])).toMatchObject({ code: 2, err: expect.stringContaining('--amount is required for Stripe') });
    expect(await send(['stripe', ...base.slice(0, 4), '--amount', '25.00', '--currency', 'EUR'])).toMatchObject({ code: 2, err: expect.stringContaining('--amount must be a whole number of minor units') });
    expect(await send(['stripe', ...base], {})).toMatchObject({ code: 2, err: expect.stringContaining('No secret for Stripe: set STRIPE_WEBHOOK_SECRET (or STRIPE_WEBHOOK_SECRET_FILE)') });
    expect(await send(['stripe', ...base], { STRIPE_WEBHOOK_SECRET_FILE: join(secretsDir, 'absent') })).toMatchObject({ code: 2, err: expect.stringContaining('STRIPE_WEBHOOK_SECRET_FILE points at') });
    expect(await send(['mvola', '--url', demo.url, '--reference', 'REG-X'])).toMatchObject({ code: 2, err: expect.stringContaining('--event-id is required for MVola') });
    expect(await send(['payqi', ...base.slice(0, 6), '--currency', 'BTC'])).toMatchObject({ code: 2, err: expect.stringContaining('pass --decimals <n>') });
    expect(await send(['stripe', '--reference', 'REG-X', '--amount', '1', '--currency', 'EUR'])).toMatchObject({ code: 2, err: expect.stringContaining('No app URL: pass --url <app base url>') });
    expect(await send([])).toMatchObject({ code: 2, err: expect.stringContaining('Name the endpoint to send to') });
    expect(await send(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('Usage: nestjs-payment-webhooks send <endpoint>') });
  });

  it('an app that does not answer: exit 1, saying so', async () => {
    const closed = await closedPortUrl();
    const result = await send(['stripe', '--url', closed, '--reference', 'REG-X', '--amount', '1', '--currency', 'EUR']);
    expect(result).toMatchObject({ code: 1, err: `Could not reach ${closed} (ECONNREFUSED): is the app running there?` });
  });

  it('never printed a secret, in any run above', () => {
    const secrets = Object.values(SECRETS).flatMap((value) => value.split(','));
    expect(printed.length).toBeGreaterThan(50);
    for (const secret of secrets) expect(printed.filter((line) => line.includes(secret))).toEqual([]);
  });
});

/** The URL of a port that was free a moment ago and has nothing listening. */
function closedPortUrl(): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
}
