import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource, EventSubscriber, type EntitySubscriberInterface, type TransactionCommitEvent } from 'typeorm';
import { OnPaymentCompleted, stripe, WebhookMonitor, type WebhookLeaseLost, type PaymentEvent, type WebhookHandlerContext, type WebhooksModuleOptions } from 'nestjs-payment-webhooks';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { AppProcess } from './support/app-process';
import { checkoutCompleted } from './support/stripe-fixtures';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { TestClock } from './support/test-clock';
import { startWebhookApp, type WebhookApp } from './support/webhook-app';

const SECRET = 'whsec_test_transactions';

/** Fails the next commit once armed: a crash after every write of a transaction, before COMMIT. */
@EventSubscriber()
class CommitFault implements EntitySubscriberInterface {
  static armed = false;
  beforeTransactionCommit(_event: TransactionCommitEvent): void {
    if (CommitFault.armed) {
      CommitFault.armed = false;
      throw new Error('injected fault before commit');
    }
  }
}

/** Marks an order paid, inside ctx.transaction; can be held half-way to stage a race. */
@Injectable()
class PaidEffect {
  runs = 0;
  hold?: Promise<void>;
  /** Awaited after the transaction returns, before the handler does. */
  afterCommit?: Promise<void>;

  @OnPaymentCompleted()
  async onPaid(payment: PaymentEvent, ctx: WebhookHandlerContext): Promise<void> {
    this.runs++;
    await ctx.transaction(async (manager) => {
      await manager.query(`INSERT INTO paid_effects (reference, delivery_id) VALUES (${placeholders(manager.connection, 2)})`, [payment.reference, ctx.deliveryId]);
      if (this.hold) await this.hold;
    });
    if (this.afterCommit) await this.afterCommit;
  }
}

function placeholders(dataSource: DataSource, count: number): string {
  return Array.from({ length: count }, (_, i) => (dataSource.options.type === 'postgres' ? `$${i + 1}` : '?')).join(', ');
}


describe('ctx.transaction: effects and outcomes commit together', () => {
  let database: TestDatabase;
  const apps: WebhookApp[] = [];

  const start = (options: Partial<WebhooksModuleOptions> = {}) =>
    startWebhookApp({
      platform: 'express',
      database: { ...database, options: { ...database.options, subscribers: [CommitFault] } as TestDatabase['options'] },
      webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false, backoff: { initialMs: 1, maxMs: 1 }, ...options },
      providers: [PaidEffect],
    }).then((app) => (apps.push(app), app));

  const effects = async (app: WebhookApp, reference: string) =>
    (await app.get(DataSource).query(`SELECT delivery_id FROM paid_effects WHERE reference = ${placeholders(app.get(DataSource), 1)}`, [reference])).length;

  const deliver = async (app: WebhookApp, reference: string) => {
    const signed = signStripe({ payload: checkoutCompleted(reference), secret: SECRET });
    return (await request(app.url).post('/webhooks/stripe').set(signed.headers).send(signed.body)).body.id as string;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const first = await start();
    await first.get(DataSource).query('CREATE TABLE paid_effects (reference varchar(64) NOT NULL, delivery_id varchar(36) NOT NULL)');
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await database.drop();
  });

  it('a fault after the handler wrote, before the commit, leaves neither effect nor outcome; the retry applies it once', async () => {
    const app = apps[0];
    const id = await deliver(app, 'FAULT-1');
    CommitFault.armed = true;
    expect(await app.deliveries.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    expect(await effects(app, 'FAULT-1')).toBe(0);
    const failed = await app.deliveries.get(id);
    expect(failed).toMatchObject({ status: 'failed', lastError: expect.stringContaining('injected fault before commit') });
    expect(failed!.handlers).toEqual([expect.objectContaining({ handler: 'PaidEffect.onPaid', status: 'failed' })]);

    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await app.deliveries.runOnce()).toMatchObject({ claimed: 1, processed: 1 });
    expect(await effects(app, 'FAULT-1')).toBe(1);
    expect((await app.deliveries.get(id))!.handlers).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 2 })]);
  });

  it('the last handler\'s transaction completes the delivery too: processed once it commits, before the handler returns', async () => {
    const app = apps[0];
    const effect = app.get(PaidEffect);
    const id = await deliver(app, 'ONE-COMMIT');
    let release!: () => void;
    effect.afterCommit = new Promise<void>((resolve) => (release = resolve));
    const run = app.deliveries.runOnce();
    try {
      await waitFor(async () => (await effects(app, 'ONE-COMMIT')) === 1);
      expect(await app.deliveries.get(id)).toMatchObject({
        status: 'processed',
        leaseOwner: undefined,
        handlers: [expect.objectContaining({ handler: 'PaidEffect.onPaid', status: 'succeeded', attempts: 1 })],
      });
    } finally {
      release();
      effect.afterCommit = undefined;
    }
    expect(await run).toMatchObject({ claimed: 1, processed: 1 });
    expect(await app.deliveries.get(id)).toMatchObject({ status: 'processed', attempts: 1 });
  });

  // Replicas in one process would share SQLite's writer lock synchronously; on SQLite the race is
  // staged with real processes below.
  const onPostgres = process.env.TEST_DATABASE_URL ? it : it.skip;
  onPostgres('two replicas racing on one delivery produce the effect once: the replica that lost its lease rolls back', async () => {
    const clock = new TestClock(Date.now() + 3_600_000);
    const slow = apps[0];
    const fast = await start({ clock: clock.now, leaseMs: 1000 });
    const id = await deliver(slow, 'RACE-1');
    const lost: WebhookLeaseLost[] = [];
    slow.get(WebhookMonitor).leaseLost$.subscribe((event) => lost.push(event));

    const runsBefore = slow.get(PaidEffect).runs;
    let release!: () => void;
    slow.get(PaidEffect).hold = new Promise<void>((resolve) => (release = resolve));
    const slowRun = slow.deliveries.runOnce();
    await waitFor(() => slow.get(PaidEffect).runs === runsBefore + 1);
    // The fast replica's clock is an hour ahead: the slow one's lease looks expired, it takes over.
    expect(await fast.deliveries.runOnce()).toMatchObject({ claimed: 1, processed: 1 });
    release();
    expect(await slowRun).toMatchObject({ claimed: 1, leaseLost: 1 });
    expect(lost).toEqual([expect.objectContaining({ deliveryId: id })]);
    expect(slow.get(WebhookMonitor).metrics().leaseLost).toBe(1);

    expect(await effects(slow, 'RACE-1')).toBe(1);
    expect(await slow.deliveries.get(id)).toMatchObject({ status: 'processed' });
  });
});

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('ctx.transaction across two real processes on one SQLite file', () => {
  const file = join(tmpdir(), `webhooks-race-${randomUUID()}.sqlite`);
  const processes: AppProcess[] = [];
  afterAll(async () => {
    for (const app of processes) {
      app.terminate();
      await app.exited;
    }
    for (const suffix of ['', '-wal', '-shm', '.gate']) rmSync(file + suffix, { force: true });
  });

  it('a replica that sees the lease expired while the handler transaction is open cannot apply the effect again', async () => {
    const gate = `${file}.gate`;
    const slow = new AppProcess({ SQLITE_FILE: file, TRANSACTIONAL: '1', HOLD_FILE: gate, LEASE_MS: '1000' });
    processes.push(slow);
    await slow.url();
    const db = new DataSource({ type: 'better-sqlite3', database: file, timeout: 30_000 });
    await db.initialize();
    await db.query('CREATE TABLE effects (reference varchar(64) NOT NULL, pid integer NOT NULL)');

    const id = await slow.deliver('PROC-RACE');
    await slow.line(/handler started/);
    // Its clock is an hour ahead: to it, the slow replica's lease has long expired. It starts (reading
    // the schema, not migrating) while the slow handler's transaction is still open, and tries to claim.
    const fast = new AppProcess({ SQLITE_FILE: file, TRANSACTIONAL: '1', HANDLER_MS: '0', CLOCK_OFFSET_MS: '3600000', MIGRATIONS_RUN: '0' });
    processes.push(fast);
    await fast.url();
    // Give it a few polls against the locked database, then let the slow handler commit.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slow.output).not.toContain('handler finished');
    writeFileSync(gate, '');
    await slow.line(/handler finished/);

    await waitFor(async () => (await db.query('SELECT status FROM webhook_deliveries WHERE id = ?', [id]))[0].status === 'processed', 20_000);
    expect(await db.query('SELECT reference FROM effects')).toEqual([{ reference: 'PROC-RACE' }]);
    expect(fast.output).not.toContain('handler started');
    await db.destroy();
  });
});
