import { Injectable } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OnPaymentBatch, OnPaymentCompleted, stripe, type PaymentEvent, type WebhookBatchContext, type WebhooksModuleOptions } from 'nestjs-payment-webhooks';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { checkoutCompleted } from './support/stripe-fixtures';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { startWebhookApp, type WebhookApp } from './support/webhook-app';

const SECRET = 'whsec_test_batches';

/** Marks orders paid many at a time, inside ctx.transaction; can be told to fail or stall on batches. */
@Injectable()
class PaidOrders {
  calls: string[][] = [];
  /** A reference whose presence makes the call throw after writing. */
  poison?: string;
  /** Batches of several write only once their signal has fired (a handler slower than its timeout). */
  stallBatches = false;
  /** What the stalled batch's late ctx.transaction got. */
  lateWrite?: Promise<unknown>;
  /** Awaited by batches of several before their transaction. */
  hold?: Promise<void>;
  held?: () => void;

  @OnPaymentBatch('payment.completed', { name: 'paid-orders', maxBatchSize: 4 })
  async onPaid(payments: PaymentEvent[], ctx: WebhookBatchContext): Promise<void> {
    this.calls.push(payments.map((payment) => payment.reference));
    if (payments.length > 1 && this.stallBatches) {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      this.lateWrite = ctx.transaction(() => Promise.resolve()).catch((error: Error) => error.name);
      return;
    }
    if (payments.length > 1 && this.hold) {
      this.held?.();
      await this.hold;
    }
    await ctx.transaction(async (manager) => {
      for (const [index, payment] of payments.entries()) {
        await manager.query(`INSERT INTO paid_orders (reference, delivery_id) VALUES (${params(manager.connection, 2)})`, [payment.reference, ctx.items[index].deliveryId]);
      }
      if (this.poison && payments.some((payment) => payment.reference === this.poison)) throw new Error(`order ${this.poison} is on hold`);
    });
  }
}

function params(dataSource: DataSource, count: number): string {
  return Array.from({ length: count }, (_, i) => (dataSource.options.type === 'postgres' ? `$${i + 1}` : '?')).join(', ');
}

describe('@OnPaymentBatch: many deliveries per handler call, each recorded exactly once', () => {
  let database: TestDatabase;
  let app: WebhookApp;
  let handler: PaidOrders;

  const deliver = async (reference: string) => {
    const signed = signStripe({ payload: checkoutCompleted(reference), secret: SECRET });
    const response = await request(app.url).post('/webhooks/stripe').set(signed.headers).send(signed.body);
    expect(response.status).toBe(200);
    return response.body.id as string;
  };
  const effects = async () =>
    (await app.get(DataSource).query('SELECT reference, delivery_id FROM paid_orders ORDER BY reference')) as Array<{ reference: string; delivery_id: string }>;

  beforeAll(async () => {
    database = await createTestDatabase();
    const webhooks: WebhooksModuleOptions = {
      endpoints: [stripe({ secrets: [SECRET] })],
      worker: false,
      batchSize: 10,
      handlerTimeoutMs: 500,
      backoff: { initialMs: 1, maxMs: 1 },
    };
    app = await startWebhookApp({ platform: 'express', database, webhooks, providers: [PaidOrders] });
    await app.get(DataSource).query('CREATE TABLE paid_orders (reference varchar(64) NOT NULL, delivery_id varchar(36) NOT NULL)');
    handler = app.get(PaidOrders);
  });

  beforeEach(async () => {
    handler.calls = [];
    handler.poison = undefined;
    handler.stallBatches = false;
    handler.hold = undefined;
    await app.get(DataSource).query('DELETE FROM paid_orders');
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('deliveries processed together go to the handler in batches of at most maxBatchSize, each recorded once', async () => {
    const ids = [];
    for (const n of [1, 2, 3, 4, 5, 6]) ids.push(await deliver(`BATCH-${n}`));

    expect(await app.deliveries.runOnce()).toMatchObject({ claimed: 6, processed: 6 });
    expect(handler.calls.map((call) => call.length)).toEqual([4, 2]);
    expect((await effects()).map(({ reference }) => reference)).toEqual(['BATCH-1', 'BATCH-2', 'BATCH-3', 'BATCH-4', 'BATCH-5', 'BATCH-6']);
    for (const id of ids) {
      expect(await app.deliveries.get(id)).toMatchObject({
        status: 'processed',
        attempts: 1,
        handlers: [expect.objectContaining({ handler: 'paid-orders', status: 'succeeded', attempts: 1 })],
      });
    }
    // ctx.items[i] is the delivery of payments[i].
    expect(new Set((await effects()).map((row) => row.delivery_id))).toEqual(new Set(ids));
  });

  it('calls the method on the instance as it is at each call: a test\'s spy or stub takes effect', async () => {
    const id = await deliver('SPY-1');
    const stub = jest.spyOn(handler, 'onPaid').mockRejectedValue(new Error('stubbed out'));
    try {
      expect(await app.deliveries.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
      expect(stub).toHaveBeenCalledTimes(1);
    } finally {
      stub.mockRestore();
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await app.deliveries.runOnce()).toMatchObject({ claimed: 1, processed: 1 });
    expect(await app.deliveries.get(id)).toMatchObject({ status: 'processed', handlers: [expect.objectContaining({ status: 'succeeded', attempts: 2 })] });
  });

  it('a batch that fails rolls back and runs each delivery alone: only the bad one fails, the rest apply once', async () => {
    const good = [await deliver('MIX-1'), await deliver('MIX-3')];
    const bad = await deliver('MIX-2');
    handler.poison = 'MIX-2';

    expect(await app.deliveries.runOnce()).toMatchObject({ claimed: 3, processed: 2, retried: 1 });
    // One call with all three, then one call each (claim order is the store's).
    const [batch, ...alone] = handler.calls;
    expect([...batch].sort()).toEqual(['MIX-1', 'MIX-2', 'MIX-3']);
    expect(alone.map((call) => call.join()).sort()).toEqual(['MIX-1', 'MIX-2', 'MIX-3']);
    expect((await effects()).map(({ reference }) => reference)).toEqual(['MIX-1', 'MIX-3']);
    for (const id of good) expect(await app.deliveries.get(id)).toMatchObject({ status: 'processed' });
    expect(await app.deliveries.get(bad)).toMatchObject({
      status: 'failed',
      lastError: expect.stringContaining('order MIX-2 is on hold'),
      handlers: [expect.objectContaining({ handler: 'paid-orders', status: 'failed', lastError: 'order MIX-2 is on hold' })],
    });

    handler.poison = undefined;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await app.deliveries.runOnce()).toMatchObject({ claimed: 1, processed: 1 });
    expect((await effects()).map(({ reference }) => reference)).toEqual(['MIX-1', 'MIX-2', 'MIX-3']);
    expect(await app.deliveries.get(bad)).toMatchObject({ status: 'processed', handlers: [expect.objectContaining({ status: 'succeeded', attempts: 2 })] });
  });

  it('a batch with a delivery whose lease passed to another instance records nothing; the rest complete alone, that one is left to its owner', async () => {
    const [kept, stolen, alsoKept] = [await deliver('LEASE-1'), await deliver('LEASE-2'), await deliver('LEASE-3')];
    let release!: () => void;
    handler.hold = new Promise<void>((resolve) => (release = resolve));
    const held = new Promise<void>((resolve) => (handler.held = resolve));
    const run = app.deliveries.runOnce();
    await held;
    // Another instance took LEASE-2 over (its clock said the lease had expired).
    const dataSource = app.get(DataSource);
    const [owner, id] = params(dataSource, 2).split(', ');
    await dataSource.query(`UPDATE webhook_deliveries SET lease_owner = ${owner} WHERE id = ${id}`, ['other-instance', stolen]);
    handler.hold = undefined;
    release();

    expect(await run).toMatchObject({ claimed: 3, processed: 2, leaseLost: 1 });
    expect((await effects()).map(({ reference }) => reference)).toEqual(['LEASE-1', 'LEASE-3']);
    for (const id of [kept, alsoKept]) expect(await app.deliveries.get(id)).toMatchObject({ status: 'processed', handlers: [expect.objectContaining({ status: 'succeeded', attempts: 1 })] });
    expect(await app.deliveries.get(stolen)).toMatchObject({ status: 'processing', leaseOwner: 'other-instance', handlers: [] });
    await dataSource.query(`UPDATE webhook_deliveries SET status = 'processed', lease_owner = NULL WHERE id = ${params(dataSource, 1)}`, [stolen]);
  });

  it('a batch that outlives handlerTimeoutMs commits nothing; each delivery then runs alone within its own timeout', async () => {
    for (const n of [1, 2, 3]) await deliver(`SLOW-${n}`);
    handler.stallBatches = true;

    expect(await app.deliveries.runOnce()).toMatchObject({ claimed: 3, processed: 3 });
    expect(handler.calls.map((call) => call.length)).toEqual([3, 1, 1, 1]);
    // The stalled batch tried to write after its timeout: its transaction refused to start.
    expect(await handler.lateWrite).toBe('TimeoutError');
    expect((await effects()).map(({ reference }) => reference)).toEqual(['SLOW-1', 'SLOW-2', 'SLOW-3']);
  });
});

describe('@OnPaymentBatch: declaration checks', () => {
  it('refuses a maxBatchSize that is not a whole number from 1 to 1000, a maxBatchWaitMs out of 0 to 60000', () => {
    expect(() => OnPaymentBatch('payment.completed', { maxBatchSize: 0 })).toThrow(/maxBatchSize is a whole number from 1 to 1000; got 0/);
    expect(() => OnPaymentBatch('payment.completed', { maxBatchSize: 2.5 })).toThrow(/got 2.5/);
    expect(() => OnPaymentBatch('payment.completed', { maxBatchWaitMs: -1 })).toThrow(/maxBatchWaitMs is a whole number of milliseconds from 0 to 60000; got -1/);
  });

  it('refuses, at start-up, a method that mixes a batch decorator with one-event decorators', async () => {
    @Injectable()
    class Mixed {
      @OnPaymentBatch('payment.completed', { name: 'mixed' })
      @OnPaymentCompleted({ name: 'mixed' })
      handle(): void {}
    }
    const database = await createTestDatabase();
    try {
      await expect(
        startWebhookApp({ platform: 'express', database, webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false }, providers: [Mixed] }),
      ).rejects.toThrow(/Mixed\.handle: mixes @OnPaymentBatch with decorators that pass one event/);
    } finally {
      await database.drop();
    }
  });
});
