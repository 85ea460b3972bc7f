import request from 'supertest';
import { stripe } from 'nestjs-payment-webhooks';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { RecordingHandlers } from './support/recording-handlers';
import { checkoutCompleted } from './support/stripe-fixtures';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { TestClock } from './support/test-clock';
import { PLATFORMS, startWebhookApp, type WebhookApp } from './support/webhook-app';

const SECRET = 'whsec_test_dispatch';
const HOUR = 3_600_000;

describe.each(PLATFORMS)('Dispatch on %s', (platform) => {
  let database: TestDatabase;
  let harness: WebhookApp;
  let handlers: RecordingHandlers;
  const clock = new TestClock();

  beforeAll(async () => {
    database = await createTestDatabase();
    harness = await startWebhookApp({
      platform,
      database,
      webhooks: {
        endpoints: [stripe({ secrets: [SECRET] })],
        worker: false,
        maxAttempts: 3,
        backoff: { initialMs: 1000, maxMs: HOUR },
        clock: clock.now,
      },
      providers: [RecordingHandlers],
    });
    handlers = harness.get(RecordingHandlers);
  });

  afterAll(async () => {
    await harness?.close();
    await database?.drop();
  });

  beforeEach(() => {
    handlers.calls.length = 0;
    handlers.failCompleted = 0;
  });

  const deliver = async (event: object) => {
    const signed = signStripe({ payload: event, secret: SECRET, timestamp: Math.floor(clock.now().getTime() / 1000) });
    const response = await request(harness.url).post('/webhooks/stripe').set(signed.headers).send(signed.body);
    expect(response.status).toBe(200);
    return response.body.id as string;
  };

  it('retries only the failing handler, with backoff, until it succeeds', async () => {
    const event = checkoutCompleted('RETRY-1');
    handlers.failCompleted = 2;
    const id = await deliver(event);

    expect(await harness.deliveries.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    const afterFirst = await harness.deliveries.get(id);
    expect(afterFirst).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringContaining('simulated handler failure') });
    // Equal jitter: the first retry comes between 0.5 s and 1 s later, never sooner.
    const delay = afterFirst!.nextAttemptAt!.getTime() - clock.now().getTime();
    expect(delay).toBeGreaterThanOrEqual(500);
    expect(delay).toBeLessThanOrEqual(1000);
    expect(await harness.deliveries.runOnce()).toMatchObject({ claimed: 0 });

    clock.advance(1000);
    expect(await harness.deliveries.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    clock.advance(2000);
    expect(await harness.deliveries.runOnce()).toMatchObject({ claimed: 1, processed: 1 });

    expect(handlers.count('completed', event.id)).toBe(3);
    expect(handlers.count('stripe-completed', event.id)).toBe(1);
    const done = await harness.deliveries.get(id);
    expect(done).toMatchObject({ status: 'processed', attempts: 3 });
    expect(done!.handlers).toEqual([
      expect.objectContaining({ handler: 'RecordingHandlers.onCompleted', status: 'succeeded', attempts: 3 }),
      expect.objectContaining({ handler: 'RecordingHandlers.onStripeCompleted', status: 'succeeded', attempts: 1 }),
    ]);
  });

  it('marks a delivery dead after maxAttempts, and replay runs it again once fixed', async () => {
    const event = checkoutCompleted('DEAD-1');
    handlers.failCompleted = Infinity;
    const id = await deliver(event);
    for (let attempt = 0; attempt < 3; attempt++) {
      await harness.deliveries.runOnce();
      clock.advance(HOUR);
    }
    expect(await harness.deliveries.get(id)).toMatchObject({ status: 'dead', attempts: 3 });
    expect(await harness.deliveries.runOnce()).toMatchObject({ claimed: 0 });
    expect(handlers.count('completed', event.id)).toBe(3);

    handlers.failCompleted = 0;
    await harness.deliveries.replay(id);
    expect(await harness.deliveries.runOnce()).toMatchObject({ claimed: 1, processed: 1 });
    expect(await harness.deliveries.get(id)).toMatchObject({ status: 'processed' });
    expect(handlers.count('completed', event.id)).toBe(4);
    // The other handler had succeeded the first time: replay does not run it again.
    expect(handlers.count('stripe-completed', event.id)).toBe(1);

    await harness.deliveries.replay(id, { allHandlers: true });
    await harness.deliveries.runOnce();
    expect(handlers.count('stripe-completed', event.id)).toBe(2);
    await expect(harness.deliveries.replay('00000000-0000-0000-0000-000000000000')).rejects.toThrow('No processed, failed or dead delivery');
  });

  it('20 concurrent copies of one delivery: one row, one id, the handler runs once', async () => {
    const event = checkoutCompleted('DUP-20');
    const signed = signStripe({ payload: event, secret: SECRET, timestamp: Math.floor(clock.now().getTime() / 1000) });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => request(harness.url).post('/webhooks/stripe').set(signed.headers).send(signed.body)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(responses.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    await harness.deliveries.runOnce();
    await harness.deliveries.runOnce();
    expect(handlers.count('completed', event.id)).toBe(1);
    expect(await harness.deliveries.find({ reference: 'DUP-20' })).toHaveLength(1);
  });
});

describe('Background worker', () => {
  it('processes a stored delivery without being asked', async () => {
    const database = await createTestDatabase();
    const harness = await startWebhookApp({
      platform: 'express',
      database,
      webhooks: { endpoints: [stripe({ secrets: [SECRET] })], pollIntervalMs: 5000 },
      providers: [RecordingHandlers],
    });
    try {
      const event = checkoutCompleted('BG-1');
      const signed = signStripe({ payload: event, secret: SECRET });
      const response = await request(harness.url).post('/webhooks/stripe').set(signed.headers).send(signed.body);
      // Long poll interval: only the nudge after storing can make this fast.
      await waitFor(async () => (await harness.deliveries.get(response.body.id))?.status === 'processed', 3000);
      expect(harness.get(RecordingHandlers).count('completed', event.id)).toBe(1);
    } finally {
      await harness.close();
      await database.drop();
    }
  });
});

describe('Two instances sharing one database', () => {
  it('200 events, delivered in random order to either instance (with copies): every handler runs exactly once per event', async () => {
    const database = await createTestDatabase();
    const start = (platform: 'express' | 'fastify') =>
      startWebhookApp({
        platform,
        database,
        webhooks: { endpoints: [stripe({ secrets: [SECRET] })], pollIntervalMs: 20, batchSize: 10, migrationsRun: true },
        providers: [RecordingHandlers],
      });
    const first = await start('express');
    const second = await start('fastify');
    try {
      const events = Array.from({ length: 200 }, (_, i) => checkoutCompleted(`PAIR-${i}`));
      // Every event once to a random instance, 50 of them a second time to the other one.
      const sends = events.map((event, i) => ({ event, target: i % 2 ? first : second }));
      for (const { event, target } of sends.slice(0, 50)) sends.push({ event, target: target === first ? second : first });
      shuffle(sends);
      for (let i = 0; i < sends.length; i += 10) {
        await Promise.all(
          sends.slice(i, i + 10).map(async ({ event, target }) => {
            const signed = signStripe({ payload: event, secret: SECRET });
            const response = await request(target.url).post('/webhooks/stripe').set(signed.headers).send(signed.body);
            expect(response.status).toBe(200);
          }),
        );
      }
      await waitFor(async () => (await first.deliveries.find({ status: 'processed', limit: 500 })).length === 200, 20000);
      const calls = [...first.get(RecordingHandlers).calls, ...second.get(RecordingHandlers).calls];
      for (const handler of ['completed', 'stripe-completed']) {
        const perEvent = new Map<string, number>();
        for (const call of calls.filter((c) => c.handler === handler)) perEvent.set(call.eventId, (perEvent.get(call.eventId) ?? 0) + 1);
        expect(perEvent.size).toBe(200);
        expect([...perEvent.values()].every((count) => count === 1)).toBe(true);
      }
      // Both instances did part of the work.
      expect(first.get(RecordingHandlers).calls.length).toBeGreaterThan(0);
      expect(second.get(RecordingHandlers).calls.length).toBeGreaterThan(0);
    } finally {
      await first.close();
      await second.close();
      await database.drop();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}
