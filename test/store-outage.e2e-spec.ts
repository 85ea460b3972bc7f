import { Injectable } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OnPaymentCompleted, stripe, type PaymentEvent, type WebhookHandlerContext } from 'nestjs-payment-webhooks';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { checkoutCompleted } from './support/stripe-fixtures';
import { TcpProxy } from './support/tcp-proxy';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { startWebhookApp, type WebhookApp } from './support/webhook-app';

const SECRET = 'whsec_test_outage';
const STORE_TIMEOUT_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The database hangs, then disappears, between the app and PostgreSQL: answers stay fast and
// honest (503 + Retry-After, never a 2xx for what is not stored), and it recovers without a restart.
const onPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

/** Marks an order paid in the same transaction as its outcome: exactly once, even when the database drops mid-way. */
@Injectable()
class PaidEffect {
  @OnPaymentCompleted({ name: 'mark-paid' })
  async onPaid(payment: PaymentEvent, ctx: WebhookHandlerContext): Promise<void> {
    await ctx.transaction((manager) => manager.query('INSERT INTO paid_effects (reference) VALUES ($1)', [payment.reference]));
  }
}

onPostgres('PostgreSQL frozen or cut under the app', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let harness: WebhookApp;
  /** Event id → every status the sender got for it. */
  const answers = new Map<string, number[]>();

  beforeAll(async () => {
    database = await createTestDatabase();
    const url = new URL(process.env.TEST_DATABASE_URL!);
    proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.start();
    url.port = String(proxy.port);
    const options = { ...database.options, url: url.toString() } as TestDatabase['options'];
    harness = await startWebhookApp({
      platform: 'express',
      database: { ...database, options },
      // A write that outlives its timeout may still commit, leased to this instance: it waits one lease.
      webhooks: { endpoints: [stripe({ secrets: [SECRET] })], storeTimeoutMs: STORE_TIMEOUT_MS, pollIntervalMs: 100, leaseMs: 2000 },
      providers: [PaidEffect],
    });
    await harness.get(DataSource).query('CREATE TABLE paid_effects (reference varchar(64) NOT NULL)');
  });

  afterAll(async () => {
    await harness?.close();
    await proxy?.stop();
    await database?.drop();
  });

  const deliver = async (reference: string) => {
    const signed = signStripe({ payload: { ...checkoutCompleted(reference), id: `evt_${reference}` }, secret: SECRET });
    const started = Date.now();
    const response = await request(harness.url).post('/webhooks/stripe').set(signed.headers).send(signed.body);
    answers.set(`evt_${reference}`, [...(answers.get(`evt_${reference}`) ?? []), response.status]);
    return { response, ms: Date.now() - started };
  };

  it('stores and answers 200 while the database is reachable', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => deliver(`UP-${i}`)));
    expect(results.map(({ response }) => response.status)).toEqual(Array(10).fill(200));
  });

  it('answers 503 with Retry-After within the store timeout while the database hangs, then at once', async () => {
    proxy.freeze();
    const first = await Promise.all(Array.from({ length: 5 }, (_, i) => deliver(`FROZEN-${i}`)));
    for (const { response, ms } of first) {
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.body).toMatchObject({ statusCode: 503 });
      expect(ms).toBeLessThan(STORE_TIMEOUT_MS + 1000);
    }
    // The hung write is known: nothing else waits on it.
    for (let i = 0; i < 5; i++) {
      const { response, ms } = await deliver(`FROZEN-LATER-${i}`);
      expect(response.status).toBe(503);
      expect(ms).toBeLessThan(500);
    }
  });

  it('recovers on its own once the database answers again', async () => {
    proxy.open();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await deliver('THAWED')).response.status;
      if (status !== 200) await sleep(100);
    }
    expect(status).toBe(200);
  });

  it('answers 503 fast while the database is gone, and 200 once it is back', async () => {
    proxy.cut();
    const down = await Promise.all(Array.from({ length: 5 }, (_, i) => deliver(`CUT-${i}`)));
    for (const { response, ms } of down) {
      expect(response.status).toBe(503);
      expect(ms).toBeLessThan(STORE_TIMEOUT_MS + 1000);
    }
    proxy.open();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await deliver('RESTORED')).response.status;
      if (status !== 200) await sleep(100);
    }
    expect(status).toBe(200);
  });

  it('the provider retries every refused delivery; each acknowledged one is processed exactly once', async () => {
    const refused = [...answers].filter(([, statuses]) => !statuses.includes(200)).map(([id]) => id.slice('evt_'.length));
    expect(refused.length).toBeGreaterThanOrEqual(15);
    const retried = await Promise.all(refused.map((reference) => deliver(reference)));
    expect(retried.map(({ response }) => response.status)).toEqual(Array(refused.length).fill(200));

    const acknowledged = [...answers].filter(([, statuses]) => statuses.includes(200)).map(([id]) => id);
    expect(acknowledged.length).toBe(answers.size);
    // A delivery whose processing the cut interrupted runs again once its lease (2 s) expires.
    const effects = async () => {
      const rows: Array<{ reference: string; runs: number }> = await harness.get(DataSource).query('SELECT reference, count(*)::int AS runs FROM paid_effects GROUP BY reference');
      return new Map(rows.map((row) => [`evt_${row.reference}`, row.runs]));
    };
    for (let waited = 0; waited < 20_000 && (await effects()).size < acknowledged.length; waited += 100) await sleep(100);
    const done = await effects();
    for (const eventId of acknowledged) expect({ eventId, runs: done.get(eventId) }).toEqual({ eventId, runs: 1 });
    // Each delivery is completed just after its handler's commit.
    for (let waited = 0; waited < 10_000 && (await harness.deliveries.stats()).backlog > 0; waited += 100) await sleep(100);
    expect((await harness.deliveries.stats()).backlog).toBe(0);
  });
});
