import { Injectable } from '@nestjs/common';
import request from 'supertest';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  NonRetryableWebhookError,
  OnPaymentCompleted,
  OnPaymentFailed,
  stripe,
  WEBHOOK_CHANNELS,
  WebhookMonitor,
  type PaymentEvent,
  type WebhookDeliveryOutcome,
} from 'nestjs-payment-webhooks';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { checkoutCompleted } from './support/stripe-fixtures';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { useWebhookApp } from './support/use-webhook-app';
import { startWebhookApp } from './support/webhook-app';

const SECRET = 'whsec_test_identity';

@Injectable()
class NamedHandlers {
  runs = 0;

  @OnPaymentCompleted({ name: 'mark-order-paid' })
  paid(payment: PaymentEvent): void {
    this.runs++;
    if (payment.reference.startsWith('GONE')) throw new NonRetryableWebhookError(`order ${payment.reference} was deleted`);
  }
}

describe('Handlers an operator can reason about', () => {
  const app = useWebhookApp({
    platform: 'express',
    webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false, maxAttempts: 5, backoff: { initialMs: 1, maxMs: 1 } },
    providers: [NamedHandlers],
  });
  const deliver = async (reference: string) => {
    const signed = signStripe({ payload: checkoutCompleted(reference), secret: SECRET });
    return (await request(app().url).post('/webhooks/stripe').set(signed.headers).send(signed.body)).body.id as string;
  };

  it('records outcomes under the name the decorator gives, not ClassName.method', async () => {
    const id = await deliver('NAMED-1');
    await app().deliveries.runOnce();
    expect((await app().deliveries.get(id))?.handlers).toEqual([expect.objectContaining({ handler: 'mark-order-paid', status: 'succeeded' })]);
  });

  it('publishes stored, handler-finished, processed and dead-lettered, on events$ and on diagnostics channels', async () => {
    const seen: string[] = [];
    const durations: unknown[] = [];
    const onChannel: string[] = [];
    const subscription = app()
      .get(WebhookMonitor)
      .events$.subscribe((event) => {
        seen.push(`${event.kind}`);
        if (event.kind === 'handler-finished') seen.push(`${event.handler}:${event.outcome}`);
        else if (event.kind !== 'refused' && event.kind !== 'lease-lost' && event.kind !== 'store-failed') durations.push(event.durationMs);
      });
    const listener = (message: unknown) => onChannel.push((message as WebhookDeliveryOutcome).deliveryId);
    subscribe(WEBHOOK_CHANNELS['dead-lettered'], listener);
    try {
      const ok = await deliver('EVENTS-1');
      await app().deliveries.runOnce();
      const gone = await deliver('GONE-EVENTS');
      await app().deliveries.runOnce();
      expect(seen).toEqual([
        'stored',
        'handler-finished',
        'mark-order-paid:succeeded',
        'processed',
        'stored',
        'handler-finished',
        'mark-order-paid:failed',
        'dead-lettered',
      ]);
      // How long acknowledging took, then how long the attempt took: what latency metrics are built from.
      expect(durations).toEqual(Array(4).fill(expect.any(Number)));
      expect((durations as number[]).every((ms) => ms >= 0 && ms < 5000)).toBe(true);
      expect(onChannel).toEqual([gone]);
      expect(ok).not.toBe(gone);
    } finally {
      subscription.unsubscribe();
      unsubscribe(WEBHOOK_CHANNELS['dead-lettered'], listener);
    }
  });

  it('NonRetryableWebhookError sends the delivery straight to dead with its reason', async () => {
    const handlers = app().get(NamedHandlers);
    const before = handlers.runs;
    const id = await deliver('GONE-1');
    for (let round = 0; round < 3; round++) await app().deliveries.runOnce();
    expect(await app().deliveries.get(id)).toMatchObject({ status: 'dead', attempts: 1, lastError: expect.stringContaining('order GONE-1 was deleted') });
    expect(handlers.runs - before).toBe(1);
  });
});

describe('Handler names are checked at start-up', () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase()));
  afterAll(async () => database.drop());

  @Injectable()
  class TwoWithOneName {
    @OnPaymentCompleted({ name: 'same' })
    a(): void {}

    @OnPaymentFailed({ name: 'same' })
    b(): void {}
  }

  @Injectable()
  class TwoNamesOnOneMethod {
    @OnPaymentCompleted({ name: 'one' })
    @OnPaymentFailed({ name: 'other' })
    a(): void {}
  }

  it.each([
    [TwoWithOneName, 'TwoWithOneName.b: the handler name "same" is already taken'],
    [TwoNamesOnOneMethod, 'TwoNamesOnOneMethod.a: its decorators name it'],
  ])('%p', async (handlers, message) => {
    await expect(startWebhookApp({ platform: 'express', database, webhooks: { endpoints: [stripe({ secrets: [SECRET] })] }, providers: [handlers] })).rejects.toThrow(message);
  });

  it('a name that cannot be a stable key fails where the decorator is applied', () => {
    expect(() => OnPaymentCompleted({ name: '' })).toThrow(TypeError);
  });
});
