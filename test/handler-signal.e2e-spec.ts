import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { OnPaymentCompleted, stripe, WebhookDeliveries, WebhooksModule, type PaymentEvent, type WebhookHandlerContext } from 'nestjs-payment-webhooks';
import { InMemoryInboxStore, signStripe } from 'nestjs-payment-webhooks/testing';
import { checkoutCompleted } from './support/stripe-fixtures';

const SECRET = 'whsec_test_signal';

/** Waits for its signal, as a handler calling a slow API with `fetch(url, { signal })` would. */
@Injectable()
class WaitsForItsSignal {
  readonly aborted: string[] = [];
  committed = 0;

  @OnPaymentCompleted({ name: 'waits-for-its-signal' })
  async paid(_payment: PaymentEvent, ctx: WebhookHandlerContext): Promise<void> {
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    this.aborted.push(String((ctx.signal.reason as Error)?.message ?? ctx.signal.reason));
    await ctx.transaction(async () => void this.committed++).catch(() => undefined);
  }
}

async function start(options: { handlerTimeoutMs?: number; shutdownGraceMs?: number; worker: boolean }) {
  const store = new InMemoryInboxStore();
  @Module({ imports: [WebhooksModule.forRoot({ endpoints: [stripe({ secrets: [SECRET] })], store, maxAttempts: 5, ...options })], providers: [WaitsForItsSignal] })
  class SignalModule {}
  const app = await NestFactory.create(SignalModule, { rawBody: true, logger: false });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const signed = signStripe({ payload: checkoutCompleted(`SIGNAL-${Math.random()}`), secret: SECRET });
  const { body } = await request(await app.getUrl()).post('/webhooks/stripe').set(signed.headers).send(signed.body);
  return { app, store, id: body.id as string, handler: app.get(WaitsForItsSignal) };
}

describe('ctx.signal', () => {
  it('aborts a handler past handlerTimeoutMs: the run counts as failed and is retried, and it cannot commit late', async () => {
    const { app, store, id, handler } = await start({ handlerTimeoutMs: 50, worker: false });
    try {
      const summary = await app.get(WebhookDeliveries).runOnce();
      expect(summary).toMatchObject({ claimed: 1, retried: 1 });
      expect(await store.get(id)).toMatchObject({ status: 'failed', lastError: expect.stringContaining('waits-for-its-signal timed out after 50 ms') });
      expect(handler.aborted).toHaveLength(1);
      expect(handler.committed).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('aborts a handler still running when shutdown\'s grace period ends, before its lease is released', async () => {
    const { app, store, id, handler } = await start({ shutdownGraceMs: 50, worker: true });
    for (let i = 0; i < 100 && (await store.get(id))?.status !== 'processing'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await app.close();
    expect(handler.aborted).toEqual(['shutdown: the grace period is over']);
    expect(handler.committed).toBe(0);
    // Handed back as the grace period promises: due again, the attempt not counted, no outcome recorded.
    expect(await store.get(id)).toMatchObject({ status: 'pending', attempts: 0, handlers: [] });
  });
});
