import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { stripe, WebhooksModule, type ClaimedDelivery, type ClaimRequest, type NewDelivery } from 'nestjs-payment-webhooks';
import { InMemoryInboxStore, signStripe } from 'nestjs-payment-webhooks/testing';
import { checkoutCompleted } from './support/stripe-fixtures';
import { RecordingHandlers } from './support/recording-handlers';

const SECRET = 'whsec_test_shutdown_claim';

/** A store whose claim waits for a gate the test opens: shutdown lands while the claim is in flight. */
class SlowClaimStore extends InMemoryInboxStore {
  /** Claims before the first delivery is stored (the worker's round at start-up) go through. */
  private armed = false;
  claimStarted!: () => void;
  readonly started = new Promise<void>((resolve) => (this.claimStarted = resolve));
  openGate!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.openGate = resolve));

  override async insertOrFind(delivery: NewDelivery): Promise<{ id: string; duplicate: boolean }> {
    // Stored unleased, as by a store without leases at insert: the worker must claim it.
    const stored = await super.insertOrFind({ ...delivery, lease: undefined });
    this.armed = true;
    return stored;
  }

  override async claimDue(claim: ClaimRequest): Promise<ClaimedDelivery[]> {
    if (!this.armed) return super.claimDue(claim);
    this.claimStarted();
    await this.gate;
    return super.claimDue(claim);
  }
}

describe('Shutdown while a claim is in flight', () => {
  it('waits for the claim, hands its batch back and leaves nothing leased', async () => {
    const store = new SlowClaimStore();
    @Module({ imports: [WebhooksModule.forRoot({ endpoints: [stripe({ secrets: [SECRET] })], store, pollIntervalMs: 60_000 })], providers: [RecordingHandlers] })
    class ShutdownModule {}
    const app = await NestFactory.create(ShutdownModule, { rawBody: true, logger: false });
    app.enableShutdownHooks();
    await app.listen(0, '127.0.0.1');

    const signed = signStripe({ payload: checkoutCompleted('SHUTDOWN-1'), secret: SECRET });
    const { body } = await request(await app.getUrl()).post('/webhooks/stripe').set(signed.headers).send(signed.body);
    await store.started;
    const closed = app.close();
    // The claim finishes only once shutdown has begun: a clean exit must not leave its batch leased or run it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    store.openGate();
    await closed;
    // Whatever the claim would still do after a clean exit has had time to happen.
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(await store.get(body.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(app.get(RecordingHandlers).calls).toEqual([]);
  });
});
