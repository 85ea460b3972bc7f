import { createHmac } from 'node:crypto';
import request from 'supertest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingHandlers } from './support/recording-handlers';
import { useWebhookApp } from './support/use-webhook-app';
import { PLATFORMS, type WebhookApp } from './support/webhook-app';
import { acmePay } from './fixtures/acme-pay.provider';
import { stripe } from 'nestjs-payment-webhooks';

const SECRET = 'acme_test_secret';

describe.each(PLATFORMS)('A custom WebhookProvider on %s', (platform) => {
  const app = useWebhookApp({
    platform,
    webhooks: {
      endpoints: [acmePay(SECRET), { ...acmePay(SECRET), name: 'acmepay-keyed', credentialHeaders: ['X-Acme-Key'] }, stripe({ secrets: ['whsec_test_unused'] })],
      worker: false,
    },
    providers: [RecordingHandlers],
  });
  let harness: WebhookApp;
  beforeAll(() => (harness = app()));

  const send = (body: string, signature?: string) =>
    request(harness.url)
      .post('/webhooks/acmepay')
      .set({ 'content-type': 'application/json', ...(signature ? { 'x-acme-signature': signature } : {}) })
      .send(body);
  const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');

  it('is served, verified, stored, deduplicated and dispatched like a built-in', async () => {
    const body = JSON.stringify({ id: `acme_${platform}`, kind: 'paid', order: 'ORD-ACME', cents: 1250, currency: 'USD' });
    const first = await send(body, sign(body));
    expect(first.body).toMatchObject({ received: true, duplicate: false });
    expect((await send(body, sign(body))).body).toEqual({ received: true, id: first.body.id, duplicate: true });
    await harness.deliveries.runOnce();
    expect(harness.get(RecordingHandlers).calls).toEqual([expect.objectContaining({ handler: 'completed', reference: 'ORD-ACME' })]);
  });

  it.each([
    ['no signature', undefined, 401, 'missing-header'],
    ['a wrong signature', 'wrong', 401, 'invalid-signature'],
  ])('refuses %s', async (_name, secret, status, reason) => {
    const body = JSON.stringify({ id: 'acme_bad', kind: 'paid', order: 'X', cents: 1, currency: 'USD' });
    const response = await send(body, secret && sign(body, secret));
    expect(response.status).toBe(status);
    expect(response.body.reason).toBe(reason);
  });

  it('stores the credential headers it declares, and authorization, as [redacted]', async () => {
    const body = JSON.stringify({ id: `acme_keyed_${platform}`, kind: 'paid', order: 'ORD-KEYED', cents: 1, currency: 'USD' });
    const response = await request(harness.url)
      .post('/webhooks/acmepay-keyed')
      .set({ 'content-type': 'application/json', 'x-acme-signature': sign(body), 'x-acme-key': 'key-live-123', authorization: 'Bearer tok-456' })
      .send(body);
    const stored = await harness.deliveries.get(response.body.id);
    expect(stored?.headers).toMatchObject({ 'x-acme-key': '[redacted]', authorization: '[redacted]', 'x-acme-signature': sign(body) });
    expect(JSON.stringify(stored)).not.toMatch(/key-live-123|tok-456/);
  });

  it('a signed body that is not JSON → 400 invalid-payload', async () => {
    const response = await send('{oops', sign('{oops'));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ reason: 'invalid-payload', message: 'The body is not JSON.' });
  });
});

it('the README shows this provider verbatim', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const source = readFileSync(join(__dirname, 'fixtures', 'acme-pay.provider.ts'), 'utf8');
  const code = source.slice(source.indexOf('import { createHmac'));
  expect(readme).toContain(code.trim());
});
