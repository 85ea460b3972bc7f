import { Injectable } from '@nestjs/common';
import request from 'supertest';
import { OnPaymentCompleted, stripe, type PaymentEvent, type WebhookHandlerContext } from 'nestjs-payment-webhooks';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { checkoutCompleted } from './support/stripe-fixtures';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { startWebhookApp, type WebhookApp } from './support/webhook-app';

const SECRET = 'whsec_test_handler_slots';

/** Counts the calls running at once; each waits until the test lets the running ones go. */
@Injectable()
class CountingHandler {
  running = 0;
  peak = 0;
  started = 0;
  private gates: Array<() => void> = [];

  @OnPaymentCompleted({ name: 'counting' })
  async onPaid(_payment: PaymentEvent, ctx: WebhookHandlerContext): Promise<void> {
    this.started++;
    this.peak = Math.max(this.peak, ++this.running);
    await new Promise<void>((resolve) => this.gates.push(resolve));
    await ctx.transaction(async () => undefined);
    this.running--;
  }

  openGates(): void {
    this.gates.splice(0).forEach((open) => open());
  }
}

describe('handlerConcurrency: handler calls at once, whatever the deliveries in flight', () => {
  let database: TestDatabase;
  let app: WebhookApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startWebhookApp({
      platform: 'express',
      database,
      webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false, batchSize: 10, handlerConcurrency: 2 },
      providers: [CountingHandler],
    });
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('10 claimed deliveries run their handler 2 at a time, each once', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 10; n++) {
      const signed = signStripe({ payload: checkoutCompleted(`SLOT-${n}`), secret: SECRET });
      ids.push((await request(app.url).post('/webhooks/stripe').set(signed.headers).send(signed.body)).body.id);
    }
    const handler = app.get(CountingHandler);
    const run = app.deliveries.runOnce();
    const gatesOpened = (async () => {
      while (handler.started < 10) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        // Never more than two started and unfinished.
        expect(handler.running).toBeLessThanOrEqual(2);
        handler.openGates();
      }
      handler.openGates();
    })();
    expect(await run).toMatchObject({ claimed: 10, processed: 10 });
    await gatesOpened;
    expect(handler.peak).toBe(2);
    for (const id of ids) expect(await app.deliveries.get(id)).toMatchObject({ status: 'processed', handlers: [expect.objectContaining({ attempts: 1 })] });
  });
});
