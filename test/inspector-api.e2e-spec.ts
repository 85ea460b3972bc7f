import request from 'supertest';
import { stripe } from 'nestjs-payment-webhooks';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { signSession } from '../libs/webhooks/src/admin/inspector/inspector-session';
import { RecordingHandlers } from './support/recording-handlers';
import { checkoutCompleted } from './support/stripe-fixtures';
import { useWebhookApp } from './support/use-webhook-app';
import { MATRIX, PLATFORMS, type WebhookApp } from './support/webhook-app';

const SECRET = 'whsec_test_inspector_api';
const TOKEN = 'inspector-admin-token-0123456789';
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The `name=value` of the Set-Cookie a response carries, and its attributes. */
function cookieOf(response: request.Response): { pair: string; attributes: string[] } {
  const header = response.headers['set-cookie'] as unknown as string[] | undefined;
  expect(header).toHaveLength(1);
  const [pair, ...attributes] = header![0].split(/;\s*/);
  return { pair, attributes };
}

describe.each(MATRIX)('Delivery inspector routes on %s with %s', (platform, registration) => {
  const app = useWebhookApp({
    platform,
    registration,
    extras: { adminPath: 'ops/webhooks' },
    webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false, maxAttempts: 1, adminToken: TOKEN },
    providers: [RecordingHandlers],
  });
  let harness: WebhookApp;
  const ids: Record<string, string> = {};
  const bearer = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    harness = app();
    // INS-1 and INS-2 die (their handler fails once, maxAttempts 1); INS-3 is processed; INS-4 stays pending.
    harness.get(RecordingHandlers).failCompleted = 2;
    for (const reference of ['INS-1', 'INS-2', 'INS-3']) {
      const signed = signStripe({ secret: SECRET, payload: checkoutCompleted(reference) });
      ids[reference] = (await request(harness.url).post('/webhooks/stripe').set(signed.headers).send(signed.body)).body.id;
      await harness.deliveries.runOnce();
    }
    const signed = signStripe({ secret: SECRET, payload: checkoutCompleted('INS-4') });
    ids['INS-4'] = (await request(harness.url).post('/webhooks/stripe').set(signed.headers).send(signed.body)).body.id;
  });

  const signIn = async () => {
    const response = await request(harness.url).post('/ops/webhooks/session').set(bearer).set('x-requested-with', 'inspector');
    expect(response.status).toBe(204);
    return cookieOf(response).pair;
  };

  it('serves the page, its script and stylesheet without a token, under a strict CSP, with no inline code', async () => {
    const page = await request(harness.url).get('/ops/webhooks/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    expect(page.headers['content-security-policy']).toBe(CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('<script src="inspector.js" defer></script>');
    expect(page.text).toContain('<link rel="stylesheet" href="inspector.css">');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    expect(page.text).not.toContain(TOKEN);

    // Without the trailing slash, the relative URLs still point into the admin path.
    const bare = await request(harness.url).get('/ops/webhooks');
    expect(bare.status).toBe(200);
    expect(bare.text).toContain('<script src="webhooks/inspector.js" defer></script>');

    const script = await request(harness.url).get('/ops/webhooks/inspector.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript; charset=utf-8/);
    expect(script.headers['content-security-policy']).toBe(CSP);
    expect(() => new Function(script.text)).not.toThrow();
    const style = await request(harness.url).get('/ops/webhooks/inspector.css');
    expect(style.status).toBe(200);
    expect(style.headers['content-type']).toMatch(/^text\/css; charset=utf-8/);
  });

  it('refuses every data route without a token, a wrong token, or a forged or expired session', async () => {
    const routes: Array<['get' | 'post', string]> = [
      ['get', '/ops/webhooks/session'],
      ['get', '/ops/webhooks/deliveries/counts'],
      ['get', `/ops/webhooks/deliveries/${ids['INS-1']}/inspection`],
      ['post', '/ops/webhooks/deliveries/replay'],
    ];
    const expired = signSession(TOKEN, new Date(Date.now() - 1000));
    const forged = signSession('not-the-admin-token-at-all', new Date(Date.now() + 60_000));
    for (const [method, path] of routes) {
      expect((await request(harness.url)[method](path).set('x-requested-with', 'inspector')).status).toBe(401);
      expect((await request(harness.url)[method](path).set({ authorization: 'Bearer wrong-token' })).status).toBe(401);
      for (const value of [expired, forged, 'v1.99999999999999.x', 'garbage']) {
        const response = await request(harness.url)[method](path).set('cookie', `webhooks_inspector_session=${value}`).set('x-requested-with', 'inspector');
        expect(response.status).toBe(401);
      }
    }
  });

  it('signs in with the bearer token only: an HttpOnly, SameSite=Strict cookie on the admin path that does not hold the token', async () => {
    const wrong = await request(harness.url).post('/ops/webhooks/session').set({ authorization: 'Bearer nope' }).set('x-requested-with', 'inspector');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const response = await request(harness.url).post('/ops/webhooks/session').set(bearer).set('x-requested-with', 'inspector');
    expect(response.status).toBe(204);
    expect(response.headers['cache-control']).toBe('no-store');
    const { pair, attributes } = cookieOf(response);
    expect(pair).toMatch(/^webhooks_inspector_session=v1\.\d+\.[\w-]+$/);
    expect(pair).not.toContain(TOKEN);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/ops/webhooks', 'Max-Age=28800', 'HttpOnly', 'SameSite=Strict']));
    expect(attributes).not.toContain('Secure');

    // The cookie reads data; it cannot open a session of its own (only the token can).
    const session = await request(harness.url).get('/ops/webhooks/session').set('cookie', pair);
    expect(session.status).toBe(200);
    expect(session.body).toEqual({ endpoints: ['stripe'] });
    const renew = await request(harness.url).post('/ops/webhooks/session').set('cookie', pair).set('x-requested-with', 'inspector');
    expect(renew.status).toBe(401);
  });

  it('refuses a change authenticated by the cookie alone (CSRF): without X-Requested-With, or from another site', async () => {
    const cookie = await signIn();
    const replay = `/ops/webhooks/deliveries/${ids['INS-1']}/replay`;
    const bare = await request(harness.url).post(replay).set('cookie', cookie);
    expect(bare.status).toBe(403);
    expect(bare.body.message).toContain('X-Requested-With');
    const crossSite = await request(harness.url).post(replay).set('cookie', cookie).set({ 'x-requested-with': 'inspector', 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect((await request(harness.url).post('/ops/webhooks/deliveries/replay?status=dead').set('cookie', cookie)).status).toBe(403);
    expect((await harness.deliveries.get(ids['INS-1']))!.status).toBe('dead');
    // Reads need no header; API clients with the bearer token need none either.
    expect((await request(harness.url).get('/ops/webhooks/deliveries/counts').set('cookie', cookie)).status).toBe(200);
    const signOut = await request(harness.url).delete('/ops/webhooks/session').set('cookie', cookie);
    expect(signOut.status).toBe(403);
  });

  it('lists with filters, search, a time range and a cursor; counts by status; summaries leave out bodies', async () => {
    const cookie = await signIn();
    const get = (path: string) => request(harness.url).get(path).set('cookie', cookie);
    const all = await get('/ops/webhooks/deliveries?view=summary');
    expect(all.body.map((d: { reference: string }) => d.reference)).toEqual(['INS-4', 'INS-3', 'INS-2', 'INS-1']);
    expect(all.body[0]).not.toHaveProperty('rawBody');
    expect(all.body[0]).not.toHaveProperty('headers');

    const first = await get('/ops/webhooks/deliveries?limit=2');
    const last = first.body[1] as { id: string; receivedAt: string };
    const next = await get(`/ops/webhooks/deliveries?limit=2&before=${Date.parse(last.receivedAt)}:${last.id}`);
    expect(next.body.map((d: { reference: string }) => d.reference)).toEqual(['INS-2', 'INS-1']);

    expect((await get('/ops/webhooks/deliveries?search=INS-2')).body.map((d: { id: string }) => d.id)).toEqual([ids['INS-2']]);
    expect((await get(`/ops/webhooks/deliveries?search=${ids['INS-3']}`)).body.map((d: { id: string }) => d.id)).toEqual([ids['INS-3']]);
    const inFuture = new Date(Date.now() + 60_000).toISOString();
    expect((await get(`/ops/webhooks/deliveries?receivedFrom=${inFuture}`)).body).toEqual([]);
    expect((await get(`/ops/webhooks/deliveries?receivedTo=${inFuture}&status=dead`)).body).toHaveLength(2);

    const counts = await get('/ops/webhooks/deliveries/counts?provider=stripe');
    expect(counts.body).toEqual({ counts: { pending: 1, processing: 0, processed: 1, failed: 0, dead: 2 }, total: 4 });
    expect((await get('/ops/webhooks/deliveries/counts?search=INS-1')).body.total).toBe(1);

    const bad = await get('/ops/webhooks/deliveries?before=yesterday&receivedFrom=soon');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(expect.arrayContaining([expect.stringContaining('before must be'), expect.stringContaining('receivedFrom must be a valid ISO 8601')]));
  });

  it('shows one delivery with its event parsed again, its handlers, and its signature header hidden', async () => {
    const cookie = await signIn();
    const inspection = await request(harness.url).get(`/ops/webhooks/deliveries/${ids['INS-1']}/inspection`).set('cookie', cookie);
    expect(inspection.status).toBe(200);
    const { delivery, event } = inspection.body;
    expect(delivery).toMatchObject({ id: ids['INS-1'], status: 'dead', reference: 'INS-1', rawBody: expect.stringContaining('"client_reference_id":"INS-1"') });
    expect(delivery.headers['stripe-signature']).toBe('[hidden]');
    expect(JSON.stringify(inspection.body)).not.toMatch(/v1=[0-9a-f]{64}/);
    expect(delivery.handlers).toEqual(expect.arrayContaining([expect.objectContaining({ handler: 'RecordingHandlers.onCompleted', status: 'failed', lastError: 'simulated handler failure' })]));
    expect(event).toMatchObject({ provider: 'stripe', type: 'checkout.session.completed', payment: { type: 'payment.completed', reference: 'INS-1', amountMinor: 2500, currency: 'EUR' } });
    expect((await request(harness.url).get('/ops/webhooks/deliveries/00000000-0000-4000-8000-000000000000/inspection').set('cookie', cookie)).status).toBe(404);
  });

  it('replays one delivery, then every delivery matching a filter, and says how many', async () => {
    const cookie = await signIn();
    const post = (path: string) => request(harness.url).post(path).set('cookie', cookie).set('x-requested-with', 'inspector');
    expect((await post(`/ops/webhooks/deliveries/${ids['INS-1']}/replay`)).status).toBe(202);
    await harness.deliveries.runOnce();
    expect((await harness.deliveries.get(ids['INS-1']))!.status).toBe('processed');

    const bulk = await post('/ops/webhooks/deliveries/replay?status=dead&provider=stripe');
    expect(bulk.status).toBe(202);
    expect(bulk.body).toEqual({ replayed: 1 });
    await harness.deliveries.runOnce();
    expect((await harness.deliveries.get(ids['INS-2']))!.status).toBe('processed');
    expect((await post('/ops/webhooks/deliveries/replay?status=dead')).body).toEqual({ replayed: 0 });
    expect((await post('/ops/webhooks/deliveries/replay?limit=5000')).status).toBe(400);
    // With the bearer token, no extra header is needed.
    const api = await request(harness.url).post('/ops/webhooks/deliveries/replay?search=INS-3&allHandlers=true').set(bearer);
    expect(api.body).toEqual({ replayed: 1 });
  });

  it('signs out: the cookie is cleared on the same path', async () => {
    const cookie = await signIn();
    const response = await request(harness.url).delete('/ops/webhooks/session').set('cookie', cookie).set('x-requested-with', 'inspector');
    expect(response.status).toBe(204);
    const { pair, attributes } = cookieOf(response);
    expect(pair).toBe('webhooks_inspector_session=');
    expect(attributes).toEqual(expect.arrayContaining(['Path=/ops/webhooks', 'Max-Age=0', 'HttpOnly', 'SameSite=Strict']));
  });
});

describe.each(PLATFORMS)('Delivery inspector routes on %s under a global prefix, behind an https proxy', (platform) => {
  const app = useWebhookApp({
    platform,
    extras: { adminPath: 'ops/webhooks' },
    trustProxy: true,
    webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false, adminToken: TOKEN },
    configure: (nest) => nest.setGlobalPrefix('api'),
  });

  it('scopes the cookie to the prefixed admin path, Secure over https', async () => {
    const harness = app();
    expect((await request(harness.url).get('/api/ops/webhooks/')).text).toContain('src="inspector.js"');
    const response = await request(harness.url)
      .post('/api/ops/webhooks/session')
      .set({ authorization: `Bearer ${TOKEN}`, 'x-forwarded-proto': 'https', 'x-requested-with': 'inspector' });
    expect(response.status).toBe(204);
    const { pair, attributes } = cookieOf(response);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/api/ops/webhooks', 'HttpOnly', 'SameSite=Strict', 'Secure']));
    expect((await request(harness.url).get('/api/ops/webhooks/deliveries/counts').set('cookie', pair)).body.total).toBe(0);
  });
});
