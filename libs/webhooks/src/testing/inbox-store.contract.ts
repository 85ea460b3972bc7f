import assert from 'node:assert/strict';
import type { ClaimedDelivery, HandlerStatus, NewDelivery, StoredDelivery, WebhookInboxStore } from '../store/inbox-store.interface';
import { LeaseLostError } from '../store/lease-lost.error';

/** A fresh, empty store for one case, and how to dispose of it. */
export interface InboxStoreUnderTest {
  store: WebhookInboxStore;
  close(): Promise<void>;
}

export type InboxStoreFactory = () => Promise<InboxStoreUnderTest>;

/** One named rule of the inbox; `run` throws (node:assert) when the store breaks it. */
export interface InboxStoreContractCase {
  name: string;
  run(): Promise<void>;
}

// Times are passed in, never read from a clock: a fixed origin keeps every case exact.
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const at = (offsetMs: number) => new Date(T0 + offsetMs);
const MINUTE = 60_000;

let sequence = 0;
function delivery(overrides: Partial<NewDelivery> = {}): NewDelivery {
  sequence += 1;
  const eventId = overrides.eventId ?? `evt_contract_${sequence}`;
  return {
    provider: 'stripe',
    eventId,
    type: 'checkout.session.completed',
    rawBody: JSON.stringify({ id: eventId, type: overrides.type ?? 'checkout.session.completed', n: sequence }),
    headers: { 'content-type': 'application/json', 'stripe-signature': '[redacted]' },
    paymentType: 'payment.completed',
    reference: `order-${sequence}`,
    receivedAt: at(0),
    ...overrides,
  };
}

/** Outcomes in a stable order, without timestamps, for comparison. */
function outcomes(stored: StoredDelivery | undefined): Array<{ handler: string; status: HandlerStatus; attempts: number; lastError?: string }> {
  assert.ok(stored, 'the delivery should exist');
  return [...stored.handlers]
    .sort((a, b) => (a.handler < b.handler ? -1 : a.handler > b.handler ? 1 : 0))
    .map(({ handler, status, attempts, lastError }) => (lastError === undefined ? { handler, status, attempts } : { handler, status, attempts, lastError }));
}

async function getOrFail(store: WebhookInboxStore, id: string): Promise<StoredDelivery> {
  const stored = await store.get(id);
  assert.ok(stored, `delivery ${id} should exist`);
  return stored;
}

async function rejectsLeaseLost(write: Promise<unknown>, id: string, owner: string, what: string): Promise<void> {
  await assert.rejects(
    write,
    (error: unknown) => {
      assert.ok(error instanceof LeaseLostError, `${what}: expected a LeaseLostError, got ${String(error)}`);
      assert.equal(error.deliveryId, id, `${what}: LeaseLostError.deliveryId`);
      assert.equal(error.owner, owner, `${what}: LeaseLostError.owner`);
      return true;
    },
    `${what} by an owner without the lease should be refused`,
  );
}

// Array.from: a store may hand back arrays of another realm (a native driver under Jest's VM), and
// strict deep equality compares prototypes.
function ids(deliveries: StoredDelivery[]): string[] {
  return Array.from(deliveries, (d) => d.id);
}

/** Claims everything due at `now` for `owner` and returns it by id. */
async function claimAll(store: WebhookInboxStore, owner: string, now: Date, leaseMs = 10 * MINUTE): Promise<Map<string, ClaimedDelivery>> {
  const claimed = await store.claimDue({ owner, now, leaseMs, limit: 500 });
  return new Map(claimed.map((d) => [d.id, d]));
}

/**
 * The rules every `WebhookInboxStore` keeps, as named cases any test runner can execute. Each case
 * asks `factory` for a fresh, empty store and closes it at the end; race cases run concurrently.
 *
 * ```ts
 * describe('my inbox store', () => {
 *   for (const c of inboxStoreContract(async () => ({ store: new MyStore(), close: async () => {} }))) it(c.name, c.run);
 * });
 * ```
 */
export function inboxStoreContract(factory: InboxStoreFactory): InboxStoreContractCase[] {
  const withStore = (name: string, body: (store: WebhookInboxStore) => Promise<void>): InboxStoreContractCase => ({
    name,
    run: async () => {
      const { store, close } = await factory();
      try {
        await body(store);
      } finally {
        await close();
      }
    },
  });

  return [
    withStore('stores a delivery as received: pending, no attempt, no handler outcome, due at once', async (store) => {
      const input = delivery({ headers: { 'content-type': 'application/json', 'x-request-id': 'r-1' }, reference: 'order-A' });
      const { id, duplicate } = await store.insertOrFind(input);
      assert.equal(duplicate, false);
      assert.equal(typeof id, 'string');
      assert.ok(id.length > 0, 'the id should not be empty');

      const stored = await getOrFail(store, id);
      assert.equal(stored.id, id);
      assert.equal(stored.provider, input.provider);
      assert.equal(stored.eventId, input.eventId);
      assert.equal(stored.type, input.type);
      assert.equal(stored.rawBody, input.rawBody);
      assert.deepEqual(stored.headers, input.headers);
      assert.equal(stored.paymentType, input.paymentType);
      assert.equal(stored.reference, 'order-A');
      assert.equal(stored.receivedAt.getTime(), input.receivedAt.getTime());
      assert.equal(stored.status, 'pending');
      assert.equal(stored.attempts, 0);
      assert.equal(stored.leaseOwner, undefined);
      assert.deepEqual(stored.handlers, []);

      const [claimed] = await store.claimDue({ owner: 'worker-a', now: input.receivedAt, leaseMs: MINUTE, limit: 10 });
      assert.equal(claimed?.id, id, 'a new delivery is due at its receipt time');
      assert.equal(await store.get('no-such-delivery'), undefined);
    }),

    withStore('a delivery stored with a lease is claimed by its owner from the start (or, if the store ignores leases, pending)', async (store) => {
      const input = delivery({ eventId: 'evt_leased_1', lease: { owner: 'receiver', expiresAt: at(MINUTE) } });
      const stored = await store.insertOrFind(input);
      assert.equal(stored.duplicate, false);
      if (stored.leased !== true) {
        assert.equal((await getOrFail(store, stored.id)).status, 'pending', 'a lease the store ignores leaves the delivery pending');
        return;
      }
      const row = await getOrFail(store, stored.id);
      assert.equal(row.status, 'processing');
      assert.equal(row.attempts, 1, 'being leased is its first attempt, as a claim would count it');
      assert.equal(row.leaseOwner, 'receiver');
      assert.equal(row.leaseExpiresAt?.getTime(), at(MINUTE).getTime());
      assert.deepEqual(ids(await store.claimDue({ owner: 'other', now: at(1000), leaseMs: MINUTE, limit: 10 })), [], 'a live lease is not claimable');
      // Its owner's fenced writes work; another's are refused.
      await store.recordHandler(stored.id, 'receiver', { handler: 'h', status: 'succeeded' }, at(2000));
      await rejectsLeaseLost(store.complete(stored.id, 'other', at(2000)), stored.id, 'other', 'complete');
      // A copy never takes a lease.
      assert.deepEqual(await store.insertOrFind({ ...input, lease: { owner: 'second', expiresAt: at(MINUTE) } }), { id: stored.id, duplicate: true });
      // Once the lease has expired (the receiver died), anyone may take it over.
      const [taken] = await store.claimDue({ owner: 'other', now: at(MINUTE + 1), leaseMs: MINUTE, limit: 10 });
      assert.equal(taken?.id, stored.id);
      assert.equal(taken?.attempts, 2);
      assert.deepEqual(Array.from(taken?.handlers ?? [], (run) => run.handler), ['h']);
    }),

    withStore('insert then duplicate insert: same id, duplicate true; the same event id at another provider is distinct', async (store) => {
      const first = delivery({ eventId: 'evt_dup_1' });
      const a = await store.insertOrFind(first);
      const b = await store.insertOrFind({ ...first, rawBody: '{"changed":true}', receivedAt: at(5000) });
      assert.deepEqual(a, { id: a.id, duplicate: false });
      assert.deepEqual(b, { id: a.id, duplicate: true });
      assert.equal((await getOrFail(store, a.id)).rawBody, first.rawBody, 'the first copy is kept');

      const other = await store.insertOrFind(delivery({ provider: 'paystack', eventId: 'evt_dup_1' }));
      assert.equal(other.duplicate, false);
      assert.notEqual(other.id, a.id);
      assert.equal((await store.find({ provider: 'stripe' })).length, 1);
      assert.equal((await store.find({ provider: 'paystack' })).length, 1);
    }),

    withStore('race: 50 concurrent inserts of one (provider, event id) store one row, all with one id, exactly one new', async (store) => {
      const input = delivery({ eventId: 'evt_race_insert' });
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => store.insertOrFind({ ...input, receivedAt: at(i) })));
      assert.equal(new Set(answers.map((a) => a.id)).size, 1, 'every answer carries the same id');
      assert.equal(answers.filter((a) => !a.duplicate).length, 1, 'exactly one insert is new');
      const rows = await store.find({ provider: input.provider });
      assert.equal(rows.length, 1);
      assert.equal(rows[0].id, answers[0].id);
    }),

    withStore('race: 4 concurrent claimers over 200 due deliveries claim each exactly once, attempts 1', async (store) => {
      const inserted = await Promise.all(Array.from({ length: 200 }, (_, i) => store.insertOrFind(delivery({ eventId: `evt_claim_${i}`, receivedAt: at(i) }))));
      const all = new Set(inserted.map((r) => r.id));
      assert.equal(all.size, 200);

      const now = at(MINUTE);
      const claimer = async (owner: string) => {
        const mine: ClaimedDelivery[] = [];
        for (;;) {
          const batch = await store.claimDue({ owner, now, leaseMs: 10 * MINUTE, limit: 7 });
          assert.ok(batch.length <= 7, 'a claim respects its limit');
          if (batch.length === 0) return mine;
          mine.push(...batch);
        }
      };
      const owners = ['worker-1', 'worker-2', 'worker-3', 'worker-4'];
      const results = await Promise.all(owners.map(claimer));

      const seen = new Map<string, string>();
      results.forEach((claimed, i) => {
        for (const d of claimed) {
          assert.equal(seen.get(d.id), undefined, `delivery ${d.id} claimed by both ${seen.get(d.id)} and ${owners[i]}`);
          seen.set(d.id, owners[i]);
          assert.equal(d.leaseOwner, owners[i]);
          assert.equal(d.status, 'processing');
          assert.equal(d.attempts, 1);
          assert.equal(d.leaseExpiresAt.getTime(), now.getTime() + 10 * MINUTE);
          assert.ok(all.has(d.id), `claimed an unknown delivery ${d.id}`);
        }
      });
      assert.equal(seen.size, 200, 'the union of the claims is every delivery');
      assert.deepEqual(ids(await store.claimDue({ owner: 'worker-5', now, leaseMs: MINUTE, limit: 500 })), []);
      const processing = await store.find({ status: 'processing', limit: 500 });
      assert.equal(processing.length, 200);
      assert.ok(processing.every((d) => d.attempts === 1 && d.leaseOwner === seen.get(d.id)));
    }),

    withStore('stats: counts by status and the oldest delivery not processed yet', async (store) => {
      assert.deepEqual(await store.stats(), { counts: { pending: 0, processing: 0, processed: 0, failed: 0, dead: 0 }, oldestUnprocessedAt: undefined });
      const done = await store.insertOrFind(delivery({ receivedAt: at(0) }));
      const dead = await store.insertOrFind(delivery({ receivedAt: at(1000) }));
      await store.claimDue({ owner: 'worker-a', now: at(2000), leaseMs: MINUTE, limit: 2 });
      await store.complete(done.id, 'worker-a', at(3000));
      await store.fail(dead.id, 'worker-a', { dead: true, error: 'no' }, at(3000));
      await store.insertOrFind(delivery({ receivedAt: at(5000) }));
      await store.insertOrFind(delivery({ receivedAt: at(4000) }));
      const stats = await store.stats();
      assert.deepEqual(stats.counts, { pending: 2, processing: 0, processed: 1, failed: 0, dead: 1 });
      assert.equal(stats.oldestUnprocessedAt?.getTime(), at(4000).getTime(), 'processed and dead deliveries are not waiting');
    }),

    withStore('dueBy bounds what is due, while the lease runs from now', async (store) => {
      const early = await store.insertOrFind(delivery({ receivedAt: at(0) }));
      await store.insertOrFind(delivery({ receivedAt: at(5 * MINUTE) }));
      const claimed = await store.claimDue({ owner: 'worker-a', now: at(10 * MINUTE), dueBy: at(MINUTE), leaseMs: MINUTE, limit: 10 });
      assert.deepEqual(ids(claimed), [early.id], 'only what was due by dueBy');
      assert.equal(claimed[0].leaseExpiresAt.getTime(), at(11 * MINUTE).getTime(), 'the lease runs from now, not from dueBy');
    }),

    withStore('expired leases are claimed before due deliveries, even when due ones fill the limit', async (store) => {
      const stalled = await store.insertOrFind(delivery({ receivedAt: at(0) }));
      await store.claimDue({ owner: 'worker-dead', now: at(0), leaseMs: MINUTE, limit: 1 });
      for (let i = 0; i < 5; i++) await store.insertOrFind(delivery({ receivedAt: at(i) }));
      const claimed = await store.claimDue({ owner: 'worker-b', now: at(2 * MINUTE), leaseMs: MINUTE, limit: 2 });
      assert.equal(claimed.length, 2);
      assert.equal(claimed[0].id, stalled.id, 'the expired lease comes first');
      assert.equal(claimed[0].attempts, 2);
    }),

    withStore('a failed delivery is not claimed before its retry time, and is claimed from then on', async (store) => {
      const { id } = await store.insertOrFind(delivery());
      await store.claimDue({ owner: 'worker-a', now: at(0), leaseMs: MINUTE, limit: 10 });
      await store.fail(id, 'worker-a', { retryAt: at(30_000), error: 'handler h1 failed' }, at(1000));

      const failed = await getOrFail(store, id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.nextAttemptAt?.getTime(), at(30_000).getTime());
      assert.equal(failed.lastError, 'handler h1 failed');
      assert.equal(failed.leaseOwner, undefined);

      assert.deepEqual(ids(await store.claimDue({ owner: 'worker-b', now: at(29_999), leaseMs: MINUTE, limit: 10 })), []);
      const claimed = await store.claimDue({ owner: 'worker-b', now: at(30_000), leaseMs: MINUTE, limit: 10 });
      assert.deepEqual(ids(claimed), [id]);
      assert.equal(claimed[0].attempts, 2);
      assert.equal(claimed[0].leaseOwner, 'worker-b');
    }),

    withStore('complete and fail end a claim: processed, failed with a retry time, or dead; the lease is dropped', async (store) => {
      const done = await store.insertOrFind(delivery());
      const retried = await store.insertOrFind(delivery());
      const dead = await store.insertOrFind(delivery());
      const claimed = await claimAll(store, 'worker-a', at(0));
      assert.equal(claimed.size, 3);

      await store.complete(done.id, 'worker-a', at(100));
      await store.fail(retried.id, 'worker-a', { retryAt: at(MINUTE), error: 'try later' }, at(100));
      await store.fail(dead.id, 'worker-a', { dead: true, error: 'gave up' }, at(100));

      const processed = await getOrFail(store, done.id);
      assert.equal(processed.status, 'processed');
      assert.equal(processed.processedAt?.getTime(), at(100).getTime());
      assert.equal(processed.leaseOwner, undefined);
      assert.equal(processed.leaseExpiresAt, undefined);
      assert.equal(processed.attempts, 1);
      const failed = await getOrFail(store, retried.id);
      assert.deepEqual([failed.status, failed.lastError, failed.leaseOwner], ['failed', 'try later', undefined]);
      const buried = await getOrFail(store, dead.id);
      assert.deepEqual([buried.status, buried.lastError, buried.leaseOwner], ['dead', 'gave up', undefined]);

      const later = await store.claimDue({ owner: 'worker-b', now: at(365 * 24 * 60 * MINUTE), leaseMs: MINUTE, limit: 10 });
      assert.deepEqual(ids(later), [retried.id], 'only the failed delivery is ever due again');
    }),

    withStore('race: an expired lease is taken over by exactly one other owner, counting a new attempt', async (store) => {
      const { id } = await store.insertOrFind(delivery());
      const [first] = await store.claimDue({ owner: 'worker-a', now: at(0), leaseMs: 1000, limit: 10 });
      assert.equal(first.leaseExpiresAt.getTime(), at(1000).getTime());
      assert.deepEqual(ids(await store.claimDue({ owner: 'worker-b', now: at(999), leaseMs: MINUTE, limit: 10 })), [], 'a live lease is not taken');

      const owners = ['worker-b', 'worker-c', 'worker-d', 'worker-e'];
      const results = await Promise.all(owners.map((owner) => store.claimDue({ owner, now: at(1000), leaseMs: MINUTE, limit: 10 })));
      const winners = results.flatMap((claimed, i) => claimed.map((d) => ({ owner: owners[i], d })));
      assert.equal(winners.length, 1, 'exactly one owner takes the expired lease over');
      const [{ owner, d }] = winners;
      assert.equal(d.id, id);
      assert.equal(d.leaseOwner, owner);
      assert.equal(d.attempts, 2);
      assert.equal(d.leaseExpiresAt.getTime(), at(1000 + MINUTE).getTime());
      const stored = await getOrFail(store, id);
      assert.deepEqual([stored.status, stored.leaseOwner, stored.attempts], ['processing', owner, 2]);
    }),

    withStore('extendLease keeps a live lease from being taken over', async (store) => {
      const { id } = await store.insertOrFind(delivery());
      await store.claimDue({ owner: 'worker-a', now: at(0), leaseMs: 1000, limit: 10 });
      assert.equal(await store.extendLease(id, 'worker-a', at(5000), at(500)), true);
      assert.equal((await getOrFail(store, id)).leaseExpiresAt?.getTime(), at(5000).getTime());
      assert.deepEqual(ids(await store.claimDue({ owner: 'worker-b', now: at(4999), leaseMs: MINUTE, limit: 10 })), []);
      assert.deepEqual(ids(await store.claimDue({ owner: 'worker-b', now: at(5000), leaseMs: MINUTE, limit: 10 })), [id]);
    }),

    withStore('the owner that lost its lease is refused every write (LeaseLostError, extendLease false); the row is unchanged', async (store) => {
      const { id } = await store.insertOrFind(delivery());
      await store.claimDue({ owner: 'worker-a', now: at(0), leaseMs: 1000, limit: 10 });
      await store.recordHandler(id, 'worker-a', { handler: 'h1', status: 'failed', error: 'first try' }, at(500));
      const [takeover] = await store.claimDue({ owner: 'worker-b', now: at(1000), leaseMs: MINUTE, limit: 10 });
      assert.equal(takeover?.leaseOwner, 'worker-b');
      await store.recordHandler(id, 'worker-b', { handler: 'h2', status: 'succeeded' }, at(1100));
      const before = await getOrFail(store, id);

      const late = at(1200);
      await rejectsLeaseLost(store.complete(id, 'worker-a', late), id, 'worker-a', 'complete');
      await rejectsLeaseLost(store.fail(id, 'worker-a', { retryAt: at(MINUTE), error: 'stale' }, late), id, 'worker-a', 'fail (retry)');
      await rejectsLeaseLost(store.fail(id, 'worker-a', { dead: true, error: 'stale' }, late), id, 'worker-a', 'fail (dead)');
      await rejectsLeaseLost(store.recordHandler(id, 'worker-a', { handler: 'h1', status: 'succeeded' }, late), id, 'worker-a', 'recordHandler');
      await rejectsLeaseLost(store.recordHandler(id, 'worker-a', { handler: 'h3', status: 'succeeded' }, late), id, 'worker-a', 'recordHandler (new handler)');
      await rejectsLeaseLost(
        store.transaction((manager) => store.recordHandler(id, 'worker-a', { handler: 'h3', status: 'succeeded' }, late, manager)),
        id,
        'worker-a',
        'recordHandler in a transaction',
      );
      await rejectsLeaseLost(store.release(id, 'worker-a', late), id, 'worker-a', 'release');
      assert.equal(await store.extendLease(id, 'worker-a', at(MINUTE), late), false);

      assert.deepEqual(await store.get(id), before, 'refused writes leave the row as the new owner left it');
      await store.complete(id, 'worker-b', at(1300));
      assert.equal((await getOrFail(store, id)).status, 'processed');

      const never = await store.insertOrFind(delivery());
      await rejectsLeaseLost(store.complete(never.id, 'worker-a', late), never.id, 'worker-a', 'complete of an unclaimed delivery');
      assert.equal(await store.extendLease(never.id, 'worker-a', at(MINUTE), late), false);
    }),

    withStore('per-handler outcomes survive a retry, and their attempts are counted', async (store) => {
      const { id } = await store.insertOrFind(delivery());
      await store.claimDue({ owner: 'worker-a', now: at(0), leaseMs: MINUTE, limit: 10 });
      await store.recordHandler(id, 'worker-a', { handler: 'h1', status: 'succeeded' }, at(10));
      await store.recordHandler(id, 'worker-a', { handler: 'h2', status: 'failed', error: 'boom' }, at(20));
      await store.fail(id, 'worker-a', { retryAt: at(1000), error: 'h2: boom' }, at(30));

      const expected = [
        { handler: 'h1', status: 'succeeded', attempts: 1 },
        { handler: 'h2', status: 'failed', attempts: 1, lastError: 'boom' },
      ];
      assert.deepEqual(outcomes(await store.get(id)), expected);
      const [again] = await store.claimDue({ owner: 'worker-b', now: at(1000), leaseMs: MINUTE, limit: 10 });
      assert.equal(again?.id, id);
      assert.equal(again.attempts, 2);
      assert.deepEqual(outcomes(again), expected, 'the claim carries the outcomes of earlier attempts');

      await store.recordHandler(id, 'worker-b', { handler: 'h2', status: 'succeeded' }, at(1010));
      await store.complete(id, 'worker-b', at(1020));
      assert.deepEqual(outcomes(await store.get(id)), [
        { handler: 'h1', status: 'succeeded', attempts: 1 },
        { handler: 'h2', status: 'succeeded', attempts: 2 },
      ]);
    }),

    withStore('recordHandler inside store.transaction commits with it, and leaves no outcome when it rolls back', async (store) => {
      const { id } = await store.insertOrFind(delivery());
      await store.claimDue({ owner: 'worker-a', now: at(0), leaseMs: MINUTE, limit: 10 });

      const failure = new Error('the handler failed after recording');
      await assert.rejects(
        store.transaction(async (manager) => {
          await store.recordHandler(id, 'worker-a', { handler: 'h1', status: 'succeeded' }, at(10), manager);
          throw failure;
        }),
        (error: unknown) => error === failure,
      );
      assert.deepEqual(outcomes(await store.get(id)), [], 'the rolled-back outcome is gone');

      const result = await store.transaction(async (manager) => {
        await store.recordHandler(id, 'worker-a', { handler: 'h1', status: 'succeeded' }, at(20), manager);
        return 'committed';
      });
      assert.equal(result, 'committed');
      assert.deepEqual(outcomes(await store.get(id)), [{ handler: 'h1', status: 'succeeded', attempts: 1 }]);
    }),

    withStore('completeManyWithHandler (optional) records one handler and completes many deliveries in the caller\'s transaction, all or none', async (store) => {
      if (!store.completeManyWithHandler) return;
      const completeMany = store.completeManyWithHandler.bind(store);
      const [a, b, c] = [await store.insertOrFind(delivery()), await store.insertOrFind(delivery()), await store.insertOrFind(delivery())];
      await store.claimDue({ owner: 'worker-a', now: at(0), leaseMs: MINUTE, limit: 3 });
      await store.recordHandler(b.id, 'worker-a', { handler: 'h1', status: 'failed', error: 'first try' }, at(10));
      const other = await store.insertOrFind(delivery());
      await store.claimDue({ owner: 'worker-b', now: at(20), leaseMs: MINUTE, limit: 10 });

      // One of them leased to someone else: nothing of the batch is kept.
      await rejectsLeaseLost(
        store.transaction((manager) => completeMany([{ id: a.id, owner: 'worker-a' }, { id: other.id, owner: 'worker-a' }], 'h1', at(30), manager)),
        other.id,
        'worker-a',
        'completeManyWithHandler with a delivery of another owner',
      );
      const untouched = await getOrFail(store, a.id);
      assert.deepEqual([untouched.status, untouched.leaseOwner, outcomes(untouched)], ['processing', 'worker-a', []], 'a rolled-back batch leaves every delivery as it was');

      await store.transaction((manager) => completeMany([{ id: a.id, owner: 'worker-a' }, { id: b.id, owner: 'worker-a' }], 'h1', at(40), manager));
      for (const id of [a.id, b.id]) {
        const done = await getOrFail(store, id);
        assert.deepEqual([done.status, done.leaseOwner, done.lastError], ['processed', undefined, undefined]);
        assert.equal(done.processedAt?.getTime(), at(40).getTime());
      }
      assert.deepEqual(outcomes(await store.get(a.id)), [{ handler: 'h1', status: 'succeeded', attempts: 1 }]);
      assert.deepEqual(outcomes(await store.get(b.id)), [{ handler: 'h1', status: 'succeeded', attempts: 2 }]);
      assert.equal((await getOrFail(store, c.id)).status, 'processing', 'a delivery outside the batch is not touched');
      await rejectsLeaseLost(
        store.transaction((manager) => completeMany([{ id: a.id, owner: 'worker-a' }], 'h1', at(50), manager)),
        a.id,
        'worker-a',
        'completeManyWithHandler of a processed delivery',
      );
    }),

    withStore('completeWithHandler (optional) records the last handler and completes in one fenced write, or in the caller\'s transaction', async (store) => {
      if (!store.completeWithHandler) return;
      const complete = store.completeWithHandler.bind(store);
      const { id } = await store.insertOrFind(delivery());
      await store.claimDue({ owner: 'worker-a', now: at(0), leaseMs: MINUTE, limit: 10 });
      await store.recordHandler(id, 'worker-a', { handler: 'h1', status: 'succeeded' }, at(10));
      await store.recordHandler(id, 'worker-a', { handler: 'h2', status: 'failed', error: 'first try' }, at(20));

      await rejectsLeaseLost(complete(id, 'worker-b', 'h2', at(30)), id, 'worker-b', 'completeWithHandler by another owner');
      const failure = new Error('rolled back');
      await assert.rejects(
        store.transaction(async (manager) => {
          await complete(id, 'worker-a', 'h2', at(30), manager);
          throw failure;
        }),
        (error: unknown) => error === failure,
      );
      const untouched = await getOrFail(store, id);
      assert.deepEqual([untouched.status, untouched.leaseOwner], ['processing', 'worker-a'], 'a rolled-back completion leaves the lease');
      assert.deepEqual(outcomes(untouched), [
        { handler: 'h1', status: 'succeeded', attempts: 1 },
        { handler: 'h2', status: 'failed', attempts: 1, lastError: 'first try' },
      ]);

      await store.transaction((manager) => complete(id, 'worker-a', 'h2', at(40), manager));
      const done = await getOrFail(store, id);
      assert.deepEqual([done.status, done.leaseOwner, done.leaseExpiresAt, done.lastError], ['processed', undefined, undefined, undefined]);
      assert.equal(done.processedAt?.getTime(), at(40).getTime());
      assert.deepEqual(outcomes(done), [
        { handler: 'h1', status: 'succeeded', attempts: 1 },
        { handler: 'h2', status: 'succeeded', attempts: 2 },
      ]);
      await rejectsLeaseLost(complete(id, 'worker-a', 'h2', at(50)), id, 'worker-a', 'completeWithHandler of a processed delivery');

      const other = await store.insertOrFind(delivery());
      await rejectsLeaseLost(complete(other.id, 'worker-a', 'h1', at(50)), other.id, 'worker-a', 'completeWithHandler of an unclaimed delivery');
      await store.claimDue({ owner: 'worker-c', now: at(60), leaseMs: MINUTE, limit: 10 });
      await complete(other.id, 'worker-c', 'h1', at(70));
      const alone = await getOrFail(store, other.id);
      assert.equal(alone.status, 'processed');
      assert.deepEqual(outcomes(alone), [{ handler: 'h1', status: 'succeeded', attempts: 1 }]);
    }),

    withStore('replay makes processed, failed and dead deliveries due again, attempts reset, other rows untouched', async (store) => {
      const processed = await store.insertOrFind(delivery());
      const failed = await store.insertOrFind(delivery());
      const dead = await store.insertOrFind(delivery());
      const other = await store.insertOrFind(delivery());
      await claimAll(store, 'worker-a', at(0));
      await store.recordHandler(processed.id, 'worker-a', { handler: 'h1', status: 'succeeded' }, at(10));
      await store.complete(processed.id, 'worker-a', at(20));
      await store.fail(failed.id, 'worker-a', { retryAt: at(24 * 60 * MINUTE), error: 'later' }, at(20));
      await store.recordHandler(dead.id, 'worker-a', { handler: 'h1', status: 'failed', error: 'no' }, at(10));
      await store.fail(dead.id, 'worker-a', { dead: true, error: 'no' }, at(20));
      await store.complete(other.id, 'worker-a', at(20));
      const otherBefore = await store.get(other.id);

      const now = at(MINUTE);
      for (const { id } of [processed, failed, dead]) assert.equal(await store.replay(id, now), true, `replay of ${id}`);
      for (const { id } of [processed, failed, dead]) {
        const replayed = await getOrFail(store, id);
        assert.equal(replayed.status, 'pending');
        assert.equal(replayed.attempts, 0);
        assert.equal(replayed.leaseOwner, undefined);
        assert.equal(replayed.processedAt, undefined);
      }
      assert.deepEqual(outcomes(await store.get(processed.id)), [{ handler: 'h1', status: 'succeeded', attempts: 1 }], 'outcomes are kept by default');
      assert.deepEqual(await store.get(other.id), otherBefore, 'replay touches no other row');

      const claimed = await store.claimDue({ owner: 'worker-b', now, leaseMs: MINUTE, limit: 10 });
      assert.deepEqual(ids(claimed).sort(), [processed.id, failed.id, dead.id].sort());
      assert.ok(claimed.every((d) => d.attempts === 1 && d.leaseOwner === 'worker-b'));
    }),

    withStore('replay of a pending, processing or unknown delivery returns false and changes nothing', async (store) => {
      const processing = await store.insertOrFind(delivery({ receivedAt: at(0) }));
      await store.claimDue({ owner: 'worker-a', now: at(0), leaseMs: MINUTE, limit: 10 });
      const pending = await store.insertOrFind(delivery({ receivedAt: at(10) }));
      const before = await Promise.all([store.get(processing.id), store.get(pending.id)]);

      assert.equal(await store.replay(processing.id, at(20)), false);
      assert.equal(await store.replay(pending.id, at(20)), false);
      assert.equal(await store.replay(pending.id, at(20), { allHandlers: true }), false);
      assert.equal(await store.replay('no-such-delivery', at(20)), false);
      assert.deepEqual(await Promise.all([store.get(processing.id), store.get(pending.id)]), before);
    }),

    withStore('replay { allHandlers: true } forgets every handler outcome; the default keeps them', async (store) => {
      const keep = await store.insertOrFind(delivery());
      const forget = await store.insertOrFind(delivery());
      await claimAll(store, 'worker-a', at(0));
      for (const { id } of [keep, forget]) {
        await store.recordHandler(id, 'worker-a', { handler: 'h1', status: 'succeeded' }, at(10));
        await store.recordHandler(id, 'worker-a', { handler: 'h2', status: 'failed', error: 'boom' }, at(10));
        await store.fail(id, 'worker-a', { dead: true, error: 'boom' }, at(20));
      }

      assert.equal(await store.replay(keep.id, at(MINUTE)), true);
      assert.equal(await store.replay(forget.id, at(MINUTE), { allHandlers: true }), true);
      const claimed = await claimAll(store, 'worker-b', at(MINUTE));
      assert.deepEqual(outcomes(claimed.get(keep.id)), [
        { handler: 'h1', status: 'succeeded', attempts: 1 },
        { handler: 'h2', status: 'failed', attempts: 1, lastError: 'boom' },
      ]);
      assert.deepEqual(outcomes(claimed.get(forget.id)), []);
      assert.deepEqual(outcomes(await store.get(forget.id)), []);
    }),

    withStore('release gives the delivery back, due at once, without counting the attempt', async (store) => {
      const { id } = await store.insertOrFind(delivery());
      await store.claimDue({ owner: 'worker-a', now: at(0), leaseMs: MINUTE, limit: 10 });
      await store.recordHandler(id, 'worker-a', { handler: 'h1', status: 'succeeded' }, at(5));
      await store.release(id, 'worker-a', at(10));

      const released = await getOrFail(store, id);
      assert.equal(released.status, 'pending');
      assert.equal(released.attempts, 0);
      assert.equal(released.leaseOwner, undefined);
      assert.equal(released.leaseExpiresAt, undefined);
      assert.deepEqual(outcomes(released), [{ handler: 'h1', status: 'succeeded', attempts: 1 }], 'recorded outcomes are kept');

      const [again] = await store.claimDue({ owner: 'worker-b', now: at(10), leaseMs: MINUTE, limit: 10 });
      assert.equal(again?.id, id, 'due at the release time, not when the lease would have expired');
      assert.equal(again.attempts, 1);

      // A retry given back is still due at once and keeps the attempts before it.
      await store.fail(id, 'worker-b', { retryAt: at(1000), error: 'h2 failed' }, at(20));
      await store.claimDue({ owner: 'worker-c', now: at(1000), leaseMs: MINUTE, limit: 10 });
      await store.release(id, 'worker-c', at(1010));
      const retryReleased = await getOrFail(store, id);
      assert.notEqual(retryReleased.status, 'processing');
      assert.equal(retryReleased.attempts, 1);
      const [third] = await store.claimDue({ owner: 'worker-d', now: at(1010), leaseMs: MINUTE, limit: 10 });
      assert.equal(third?.attempts, 2);
    }),

    withStore('prune removes only processed deliveries received before the cutoff', async (store) => {
      const cutoff = at(1000);
      const oldProcessed = await store.insertOrFind(delivery({ receivedAt: at(0) }));
      const oldPending = await store.insertOrFind(delivery({ receivedAt: at(0) }));
      const oldFailed = await store.insertOrFind(delivery({ receivedAt: at(0) }));
      const oldDead = await store.insertOrFind(delivery({ receivedAt: at(0) }));
      const oldProcessing = await store.insertOrFind(delivery({ receivedAt: at(0) }));
      const atCutoff = await store.insertOrFind(delivery({ receivedAt: cutoff }));
      const recent = await store.insertOrFind(delivery({ receivedAt: at(2000) }));

      const now = at(3000);
      await claimAll(store, 'worker-a', now);
      await store.recordHandler(oldProcessed.id, 'worker-a', { handler: 'h1', status: 'succeeded' }, now);
      for (const { id } of [oldProcessed, atCutoff, recent]) await store.complete(id, 'worker-a', now);
      await store.fail(oldFailed.id, 'worker-a', { retryAt: at(MINUTE), error: 'later' }, now);
      await store.fail(oldDead.id, 'worker-a', { dead: true, error: 'never' }, now);
      await store.release(oldPending.id, 'worker-a', now);

      assert.equal(await store.prune(cutoff), 1);
      assert.equal(await store.get(oldProcessed.id), undefined);
      const kept = await Promise.all([oldPending, oldFailed, oldDead, oldProcessing, atCutoff, recent].map(({ id }) => getOrFail(store, id)));
      assert.deepEqual(
        kept.map((d) => d.status),
        ['pending', 'failed', 'dead', 'processing', 'processed', 'processed'],
      );
      assert.equal(await store.prune(cutoff), 0);
      assert.equal(await store.prune(at(10_000)), 2, 'every processed delivery before a later cutoff');
      assert.equal((await store.find({ limit: 500 })).length, 4);
    }),

    withStore('find filters by status, provider, type and reference, newest first, with limit and offset', async (store) => {
      // d is processed; the others stay pending.
      const d = await store.insertOrFind(delivery({ provider: 'stripe', type: 'checkout.session.completed', reference: 'R3', receivedAt: at(4) }));
      await store.claimDue({ owner: 'worker-a', now: at(4), leaseMs: MINUTE, limit: 10 });
      await store.complete(d.id, 'worker-a', at(4));
      const a = await store.insertOrFind(delivery({ provider: 'stripe', type: 'checkout.session.completed', reference: 'R1', receivedAt: at(1) }));
      const b = await store.insertOrFind(delivery({ provider: 'paystack', type: 'charge.success', reference: 'R2', receivedAt: at(2) }));
      const c = await store.insertOrFind(delivery({ provider: 'stripe', type: 'checkout.session.expired', reference: 'R1', receivedAt: at(3) }));
      const e = await store.insertOrFind(delivery({ provider: 'paystack', type: 'charge.success', reference: 'R1', receivedAt: at(5) }));
      const [A, B, C, D, E] = [a.id, b.id, c.id, d.id, e.id];

      assert.deepEqual(ids(await store.find()), [E, D, C, B, A], 'newest first');
      assert.deepEqual(ids(await store.find({ provider: 'stripe' })), [D, C, A]);
      assert.deepEqual(ids(await store.find({ type: 'charge.success' })), [E, B]);
      assert.deepEqual(ids(await store.find({ reference: 'R1' })), [E, C, A]);
      assert.deepEqual(ids(await store.find({ status: 'processed' })), [D]);
      assert.deepEqual(ids(await store.find({ status: 'pending' })), [E, C, B, A]);
      assert.deepEqual(ids(await store.find({ status: 'dead' })), []);
      assert.deepEqual(ids(await store.find({ provider: 'stripe', reference: 'R1' })), [C, A], 'filters combine');
      assert.deepEqual(ids(await store.find({ provider: 'stripe', status: 'pending', type: 'checkout.session.completed' })), [A]);
      assert.deepEqual(ids(await store.find({ limit: 2 })), [E, D]);
      assert.deepEqual(ids(await store.find({ limit: 2, offset: 2 })), [C, B]);
      assert.deepEqual(ids(await store.find({ limit: 2, offset: 4 })), [A]);
      assert.deepEqual(ids(await store.find({ reference: 'R1', offset: 1 })), [C, A]);
      const [found] = await store.find({ reference: 'R3' });
      assert.deepEqual(found, await store.get(D), 'find returns whole deliveries, as get does');
    }),

    withStore('find by event id, by search (an exact reference, event id or delivery id) and by a receipt time range', async (store) => {
      const a = await store.insertOrFind(delivery({ eventId: 'evt_search_a', reference: 'REG-1', receivedAt: at(1000) }));
      const b = await store.insertOrFind(delivery({ eventId: 'evt_search_b', reference: 'REG-2', receivedAt: at(2000) }));
      const c = await store.insertOrFind(delivery({ provider: 'paystack', eventId: 'REG-1', reference: 'other', receivedAt: at(3000) }));
      const d = await store.insertOrFind(delivery({ eventId: 'evt_search_d', reference: undefined, receivedAt: at(4000) }));

      assert.deepEqual(ids(await store.find({ eventId: 'evt_search_b' })), [b.id]);
      assert.deepEqual(ids(await store.find({ search: 'REG-1' })), [c.id, a.id], 'a reference, or an event id');
      assert.deepEqual(ids(await store.find({ search: d.id })), [d.id], 'a delivery id');
      assert.deepEqual(ids(await store.find({ search: 'REG' })), [], 'exact, not a prefix');
      assert.deepEqual(ids(await store.find({ search: 'REG-1', provider: 'stripe' })), [a.id], 'search combines with the other fields');
      assert.deepEqual(ids(await store.find({ receivedFrom: at(2000) })), [d.id, c.id, b.id], 'receivedFrom is inclusive');
      assert.deepEqual(ids(await store.find({ receivedTo: at(3000) })), [b.id, a.id], 'receivedTo is exclusive');
      assert.deepEqual(ids(await store.find({ receivedFrom: at(1500), receivedTo: at(3500) })), [c.id, b.id]);
    }),

    withStore('find with a cursor (before) pages through every delivery once, in order, while new ones arrive', async (store) => {
      // Ties on receipt time are ordered by id: the cursor carries both.
      const times = [5, 5, 5, 4, 4, 3, 2, 2, 2, 2, 1];
      for (const t of times) await store.insertOrFind(delivery({ receivedAt: at(t * 1000) }));
      const expected = ids(await store.find({ limit: 500 }));
      assert.equal(expected.length, times.length);

      const seen: string[] = [];
      let before: { receivedAt: Date; id: string } | undefined;
      for (let page = 0; page < 10; page++) {
        const rows = await store.find({ limit: 3, before });
        if (rows.length === 0) break;
        seen.push(...ids(rows));
        const last = rows[rows.length - 1];
        before = { receivedAt: last.receivedAt, id: last.id };
        // Newer deliveries arriving between pages do not shift the next page.
        await store.insertOrFind(delivery({ receivedAt: at(10_000 + page * 1000) }));
      }
      assert.deepEqual(seen, expected, 'every delivery exactly once, newest first');
      const newest = (await store.find({ limit: 1 }))[0];
      assert.ok(newest.receivedAt.getTime() >= at(10_000).getTime(), 'the new deliveries lead the first page');
      assert.deepEqual(ids(await store.find({ before: { receivedAt: at(2000), id: expected[6] }, limit: 500 })), expected.slice(7), 'after a tie, the rest of it');
      assert.deepEqual(ids(await store.find({ before, limit: 500 })), [], 'nothing after the oldest');
      const [D] = expected;
      assert.deepEqual(ids(await store.find({ before: { receivedAt: at(5000), id: D }, receivedTo: at(5000), limit: 2 })), expected.slice(3, 5), 'a cursor combines with filters');
    }),

    withStore('countByStatus counts the deliveries a filter matches, one count per status', async (store) => {
      const empty = await store.countByStatus();
      assert.deepEqual({ ...empty }, { pending: 0, processing: 0, processed: 0, failed: 0, dead: 0 });
      const rows = await Promise.all(
        [1, 2, 3, 4, 5].map((n) => store.insertOrFind(delivery({ provider: n <= 3 ? 'stripe' : 'paystack', reference: `REF-${n % 2}`, receivedAt: at(n * 1000) }))),
      );
      await claimAll(store, 'worker-a', at(5000));
      await store.complete(rows[0].id, 'worker-a', at(5000));
      await store.fail(rows[1].id, 'worker-a', { dead: true, error: 'no' }, at(5000));
      await store.fail(rows[2].id, 'worker-a', { retryAt: at(MINUTE), error: 'later' }, at(5000));
      await store.fail(rows[3].id, 'worker-a', { dead: true, error: 'no' }, at(5000));
      // rows[4] stays processing.

      assert.deepEqual({ ...(await store.countByStatus()) }, { pending: 0, processing: 1, processed: 1, failed: 1, dead: 2 });
      assert.deepEqual({ ...(await store.countByStatus({ provider: 'stripe' })) }, { pending: 0, processing: 0, processed: 1, failed: 1, dead: 1 });
      assert.deepEqual({ ...(await store.countByStatus({ reference: 'REF-1', status: 'dead' })) }, { pending: 0, processing: 0, processed: 0, failed: 0, dead: 0 });
      assert.deepEqual({ ...(await store.countByStatus({ search: 'REF-0' })) }, { pending: 0, processing: 0, processed: 0, failed: 0, dead: 2 });
      assert.deepEqual({ ...(await store.countByStatus({ receivedFrom: at(3000), limit: 1, offset: 5 })) }, { pending: 0, processing: 1, processed: 0, failed: 1, dead: 1 }, 'pagination is ignored');
    }),

    withStore('replayMatching replays the processed, failed and dead deliveries a filter matches, newest first, at most limit', async (store) => {
      const rows: string[] = [];
      for (let n = 1; n <= 6; n++) rows.push((await store.insertOrFind(delivery({ provider: n === 6 ? 'paystack' : 'stripe', receivedAt: at(n * 1000) }))).id);
      const [r1, r2, r3, r4, r5, r6] = rows;
      const now = at(10_000);
      await claimAll(store, 'worker-a', now);
      await store.recordHandler(r1, 'worker-a', { handler: 'h1', status: 'succeeded' }, now);
      await store.recordHandler(r2, 'worker-a', { handler: 'h1', status: 'succeeded' }, now);
      await store.recordHandler(r2, 'worker-a', { handler: 'h2', status: 'failed', error: 'boom' }, now);
      await store.complete(r1, 'worker-a', now);
      await store.fail(r2, 'worker-a', { dead: true, error: 'boom' }, now);
      await store.fail(r3, 'worker-a', { dead: true, error: 'boom' }, now);
      await store.fail(r4, 'worker-a', { retryAt: at(MINUTE), error: 'later' }, now);
      await store.fail(r6, 'worker-a', { dead: true, error: 'boom' }, now);
      // r5 stays processing: never replayed.

      assert.equal(await store.replayMatching({ status: 'dead', provider: 'stripe' }, at(11_000), { limit: 1 }), 1, 'bounded by limit');
      assert.equal((await getOrFail(store, r3)).status, 'pending', 'the newest match first');
      assert.equal((await getOrFail(store, r2)).status, 'dead');

      assert.equal(await store.replayMatching({ provider: 'stripe' }, at(12_000), { limit: 100 }), 3, 'r1 processed, r2 dead, r4 failed; not r3 (pending now) nor r5 (processing)');
      for (const id of [r1, r2, r4]) {
        const replayed = await getOrFail(store, id);
        assert.equal(replayed.status, 'pending');
        assert.equal(replayed.attempts, 0);
        assert.equal(replayed.leaseOwner, undefined);
      }
      assert.equal((await getOrFail(store, r5)).status, 'processing');
      assert.equal((await getOrFail(store, r6)).status, 'dead', 'another endpoint: untouched');
      assert.deepEqual(outcomes(await store.get(r2)), [{ handler: 'h1', status: 'succeeded', attempts: 1 }, { handler: 'h2', status: 'failed', attempts: 1, lastError: 'boom' }], 'outcomes kept by default');
      const due = await store.claimDue({ owner: 'worker-b', now: at(12_000), leaseMs: MINUTE, limit: 10 });
      assert.deepEqual(ids(due).sort(), [r1, r2, r3, r4].sort(), 'the replayed deliveries are due at once');
      for (const d of due) await store.fail(d.id, 'worker-b', { dead: true, error: 'again' }, at(12_000));

      assert.equal(await store.replayMatching({ search: r2 }, at(13_000), { limit: 10, allHandlers: true }), 1);
      assert.deepEqual(outcomes(await store.get(r2)), [], 'allHandlers forgets every outcome');
      assert.deepEqual(outcomes(await store.get(r1)), [{ handler: 'h1', status: 'succeeded', attempts: 1 }], 'only of the replayed deliveries');
      assert.equal(await store.replayMatching({ reference: 'no-such-reference' }, at(13_000), { limit: 10 }), 0);
    }),
  ];
}
