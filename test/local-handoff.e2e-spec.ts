import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { stripe, WebhooksModule, type ClaimedDelivery, type ClaimRequest, type InsertResult, type NewDelivery } from 'nestjs-payment-webhooks';
import { InMemoryInboxStore, signStripe } from 'nestjs-payment-webhooks/testing';
import { RecordingHandlers } from './support/recording-handlers';
import { checkoutCompleted } from './support/stripe-fixtures';

const SECRET = 'whsec_test_handoff';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts what reaches the worker through claims, as opposed to straight from the ingress. */
class CountingStore extends InMemoryInboxStore {
  claimed = 0;
  constructor(private readonly honoursLeases: boolean) {
    super();
  }
  override insertOrFind(delivery: NewDelivery): Promise<InsertResult> {
    return super.insertOrFind(this.honoursLeases ? delivery : { ...delivery, lease: undefined });
  }
  override async claimDue(claim: ClaimRequest): Promise<ClaimedDelivery[]> {
    const batch = await super.claimDue(claim);
    this.claimed += batch.length;
    return batch;
  }
}

describe('What an instance stores, its own worker processes from memory', () => {
  let app: INestApplication;
  afterEach(() => app?.close());

  async function start(store: CountingStore) {
    // Polling once a minute: only the hand-over (or the nudge after a store) can start processing quickly.
    @Module({ imports: [WebhooksModule.forRoot({ endpoints: [stripe({ secrets: [SECRET] })], store, pollIntervalMs: 60_000, batchSize: 5 })], providers: [RecordingHandlers] })
    class HandoffModule {}
    app = await NestFactory.create(HandoffModule, { rawBody: true, logger: false });
    await app.listen(0, '127.0.0.1');
    await sleep(20); // the first poll, on an empty inbox
    const url = await app.getUrl();
    return (reference: string) => {
      const signed = signStripe({ payload: { ...checkoutCompleted(reference), id: `evt_${reference}` }, secret: SECRET });
      return request(url).post('/webhooks/stripe').set(signed.headers).send(signed.body);
    };
  }

  const processedOnce = async (handlers: RecordingHandlers, count: number) => {
    for (let waited = 0; waited < 5000 && handlers.calls.filter((c) => c.handler === 'stripe-completed').length < count; waited += 10) await sleep(10);
    const ids = handlers.calls.filter((c) => c.handler === 'stripe-completed').map((c) => c.eventId);
    expect(ids.length).toBe(count);
    expect(new Set(ids).size).toBe(count);
  };

  it('a delivery stored here is leased at insert and run without a claim', async () => {
    const store = new CountingStore(true);
    const deliver = await start(store);
    for (const reference of ['H-1', 'H-2', 'H-3']) expect((await deliver(reference)).status).toBe(200);
    await processedOnce(app.get(RecordingHandlers), 3);
    expect(store.claimed).toBe(0);
    const [one] = await store.find({ reference: 'H-1' });
    expect(one).toMatchObject({ status: 'processed', attempts: 1 });
  });

  it('a burst larger than the worker takes goes partly through claims; each delivery runs once', async () => {
    const store = new CountingStore(true);
    const deliver = await start(store);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => deliver(`BURST-${i}`)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(40).fill(200));
    await processedOnce(app.get(RecordingHandlers), 40);
    expect(store.claimed).toBeLessThan(40);
  });

  it('with a store that ignores leases, everything is claimed, and still runs once', async () => {
    const store = new CountingStore(false);
    const deliver = await start(store);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => deliver(`PLAIN-${i}`)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(12).fill(200));
    await processedOnce(app.get(RecordingHandlers), 12);
    expect(store.claimed).toBe(12);
  });
});
