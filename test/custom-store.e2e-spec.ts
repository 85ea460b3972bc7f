import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Registry } from 'prom-client';
import request from 'supertest';
import { stripe, WebhookDeliveries, WebhookMonitor, WebhooksMetricsModule, WebhooksModule, type WebhookLifecycleEvent } from 'nestjs-payment-webhooks';
import { InMemoryInboxStore, signStripe } from 'nestjs-payment-webhooks/testing';
import { RecordingHandlers } from './support/recording-handlers';
import { checkoutCompleted } from './support/stripe-fixtures';
import { PLATFORMS } from './support/webhook-app';

const SECRET = 'whsec_test_custom_store';

/** A store whose database is down: every insert fails. */
class UnreachableStore extends InMemoryInboxStore {
  override async insertOrFind(): Promise<{ id: string; duplicate: boolean }> {
    throw new Error('connect ECONNREFUSED 127.0.0.1:5432 (password=hunter2)');
  }
}

/** A store whose database hangs (frozen, partitioned): inserts never answer. */
class HangingStore extends InMemoryInboxStore {
  override insertOrFind(): Promise<{ id: string; duplicate: boolean }> {
    return new Promise(() => undefined);
  }
}

describe.each(PLATFORMS.flatMap((platform) => [[platform, 'unreachable'], [platform, 'hanging']] as const))('A store that is %s, on %s', (platform, kind) => {
  let app: INestApplication;
  const registry = new Registry();
  const events: WebhookLifecycleEvent[] = [];

  beforeAll(async () => {
    const store = kind === 'hanging' ? new HangingStore() : new UnreachableStore();
    @Module({
      imports: [WebhooksModule.forRoot({ endpoints: [stripe({ secrets: [SECRET] })], store, worker: false, storeTimeoutMs: 200 }), WebhooksMetricsModule.forRoot({ registry })],
    })
    class DownModule {}
    app = await NestFactory.create(DownModule, platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(), { rawBody: true, logger: false });
    app.get(WebhookMonitor).events$.subscribe((event) => events.push(event));
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => app.close());

  it('answers 503 with Retry-After within storeTimeoutMs, so the provider retries; nothing of the error leaks', async () => {
    const signed = signStripe({ payload: checkoutCompleted('DOWN-1'), secret: SECRET });
    // A hanging store never answers: only storeTimeoutMs can end this request (else the test times out).
    const response = await request(await app.getUrl()).post('/webhooks/stripe').set(signed.headers).send(signed.body);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'The delivery could not be stored; retry later.' });
  });

  it('publishes store-failed and counts the delivery as unstored, so an operator sees the 503s', async () => {
    expect(events.filter((event) => event.kind === 'stored')).toEqual([]);
    expect(events.filter((event) => event.kind === 'store-failed')).toEqual([
      expect.objectContaining({ endpoint: 'stripe', type: 'checkout.session.completed', eventId: expect.stringMatching(/^evt_/), error: expect.stringMatching(kind === 'hanging' ? /did not answer within 200 ms/ : /ECONNREFUSED/) }),
    ]);
    const text = await registry.metrics();
    expect(text).toMatch(/^webhooks_deliveries_received_total\{endpoint="stripe",outcome="unstored"\} 1$/m);
    expect(text).toMatch(/^webhooks_deliveries_received_total\{endpoint="stripe",outcome="stored"\} 0$/m);
  });
});

describe('A store of your own, without TypeORM', () => {
  let app: INestApplication;
  const store = new InMemoryInboxStore();

  beforeAll(async () => {
    @Module({
      imports: [WebhooksModule.forRoot({ endpoints: [stripe({ secrets: [SECRET] })], store, worker: false })],
      providers: [RecordingHandlers],
    })
    class NoDatabaseModule {}
    app = await NestFactory.create(NoDatabaseModule, { rawBody: true, logger: false });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(() => app.close());

  it('stores through it, deduplicates through it and dispatches from it', async () => {
    const signed = signStripe({ payload: checkoutCompleted('OWN-STORE'), secret: SECRET });
    const url = await app.getUrl();
    const first = await request(url).post('/webhooks/stripe').set(signed.headers).send(signed.body);
    const copy = await request(url).post('/webhooks/stripe').set(signed.headers).send(signed.body);
    expect(copy.body).toEqual({ received: true, id: first.body.id, duplicate: true });
    expect(await store.get(first.body.id)).toMatchObject({ status: 'pending', reference: 'OWN-STORE' });

    await app.get(WebhookDeliveries).runOnce();
    expect(app.get(RecordingHandlers).count('completed')).toBe(1);
    expect(await store.get(first.body.id)).toMatchObject({ status: 'processed' });
  });

  it('without a store or a TypeORM data source, the start says what to import', async () => {
    @Module({ imports: [WebhooksModule.forRoot({ endpoints: [stripe({ secrets: [SECRET] })] })] })
    class MissingDatabaseModule {}
    await expect(NestFactory.create(MissingDatabaseModule, { logger: false, abortOnError: false })).rejects.toThrow(
      'found no data source: import TypeOrmModule.forRoot',
    );
  });
});
