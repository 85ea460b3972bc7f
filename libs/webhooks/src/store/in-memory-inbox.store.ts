import type { EntityManager } from 'typeorm';
import { deliveryId } from './delivery-id';
import type {
  ClaimRequest,
  InboxStats,
  ClaimedDelivery,
  DeliveryFilter,
  DeliveryStatus,
  FailureOutcome,
  HandlerStatus,
  InsertResult,
  NewDelivery,
  StoredDelivery,
  WebhookInboxStore,
} from './inbox-store.interface';
import { LeaseLostError } from './lease-lost.error';

/** One handler's outcome to write; `completes` also marks the delivery processed. */
type HandlerRecord = { id: string; owner: string; outcome: { handler: string; status: HandlerStatus; error?: string }; now: Date; completes?: boolean };

/**
 * The inbox in process memory, for unit tests of code that uses a `WebhookInboxStore`. It keeps the
 * same rules as the database store (it passes the same contract), but nothing survives the process,
 * and its `transaction` has no database: only `recordHandler` can join it.
 */
export class InMemoryInboxStore implements WebhookInboxStore {
  private readonly deliveries = new Map<string, StoredDelivery>();
  private readonly idsByEvent = new Map<string, string>();
  // The outcomes recorded in each open transaction, applied on commit.
  private readonly open = new WeakMap<EntityManager, HandlerRecord[]>();

  async insertOrFind(delivery: NewDelivery): Promise<InsertResult> {
    const key = eventKey(delivery.provider, delivery.eventId);
    const existing = this.idsByEvent.get(key);
    if (existing) return { id: existing, duplicate: true };
    const id = deliveryId(delivery.receivedAt.getTime());
    const receivedAt = new Date(delivery.receivedAt.getTime());
    this.idsByEvent.set(key, id);
    this.deliveries.set(id, {
      id,
      provider: delivery.provider,
      eventId: delivery.eventId,
      type: delivery.type,
      status: delivery.lease ? 'processing' : 'pending',
      attempts: delivery.lease ? 1 : 0,
      nextAttemptAt: receivedAt,
      leaseOwner: delivery.lease?.owner,
      leaseExpiresAt: delivery.lease && new Date(delivery.lease.expiresAt.getTime()),
      rawBody: delivery.rawBody,
      headers: { ...delivery.headers },
      paymentType: delivery.paymentType,
      reference: delivery.reference,
      receivedAt,
      updatedAt: receivedAt,
      handlers: [],
    });
    return delivery.lease ? { id, duplicate: false, leased: true } : { id, duplicate: false };
  }

  async claimDue(request: ClaimRequest): Promise<ClaimedDelivery[]> {
    const now = request.now.getTime();
    const dueBy = (request.dueBy ?? request.now).getTime();
    const all = [...this.deliveries.values()];
    const expired = all
      .filter((d) => d.status === 'processing' && (d.leaseExpiresAt?.getTime() ?? Infinity) <= now)
      .sort((a, b) => a.leaseExpiresAt!.getTime() - b.leaseExpiresAt!.getTime());
    const due = all
      .filter((d) => (d.status === 'pending' || d.status === 'failed') && (d.nextAttemptAt?.getTime() ?? Infinity) <= dueBy)
      .sort((a, b) => a.nextAttemptAt!.getTime() - b.nextAttemptAt!.getTime());
    return [...expired, ...due].slice(0, Math.max(0, request.limit)).map((d) => {
      Object.assign(d, {
        status: 'processing',
        leaseOwner: request.owner,
        leaseExpiresAt: new Date(now + request.leaseMs),
        attempts: d.attempts + 1,
        updatedAt: request.now,
      });
      return copy(d) as ClaimedDelivery;
    });
  }

  async extendLease(id: string, owner: string, until: Date, now: Date): Promise<boolean> {
    const d = this.deliveries.get(id);
    if (!d || d.status !== 'processing' || d.leaseOwner !== owner) return false;
    Object.assign(d, { leaseExpiresAt: until, updatedAt: now });
    return true;
  }

  async recordHandler(id: string, owner: string, outcome: { handler: string; status: HandlerStatus; error?: string }, now: Date, manager?: EntityManager): Promise<void> {
    this.write({ id, owner, outcome, now }, manager);
  }

  async completeWithHandler(id: string, owner: string, handler: string, now: Date, manager?: EntityManager): Promise<void> {
    this.write({ id, owner, outcome: { handler, status: 'succeeded' }, now, completes: true }, manager);
  }

  async completeManyWithHandler(deliveries: ReadonlyArray<{ id: string; owner: string }>, handler: string, now: Date, manager: EntityManager): Promise<void> {
    for (const { id, owner } of deliveries) this.write({ id, owner, outcome: { handler, status: 'succeeded' }, now, completes: true }, manager);
  }

  private write(record: HandlerRecord, manager?: EntityManager): void {
    this.fence(record);
    if (!manager) return this.apply(record);
    const pending = this.open.get(manager);
    if (!pending) throw new Error('InMemoryInboxStore: the manager does not come from this store\'s transaction().');
    pending.push(record);
  }

  async complete(id: string, owner: string, now: Date): Promise<void> {
    this.markProcessed(id, owner, now);
  }

  private markProcessed(id: string, owner: string, now: Date): void {
    this.finish(id, owner, now, { status: 'processed', processedAt: now, nextAttemptAt: undefined, lastError: undefined });
  }

  async fail(id: string, owner: string, outcome: FailureOutcome, now: Date): Promise<void> {
    if ('dead' in outcome) this.finish(id, owner, now, { status: 'dead', nextAttemptAt: undefined, lastError: outcome.error });
    else this.finish(id, owner, now, { status: 'failed', nextAttemptAt: outcome.retryAt, lastError: outcome.error });
  }

  async release(id: string, owner: string, now: Date): Promise<void> {
    const d = this.owned(id, owner);
    this.finish(id, owner, now, { status: d.attempts > 1 ? 'failed' : 'pending', attempts: d.attempts - 1, nextAttemptAt: now });
  }

  async get(id: string): Promise<StoredDelivery | undefined> {
    const d = this.deliveries.get(id);
    return d && copy(d);
  }

  async find(filter: DeliveryFilter = {}): Promise<StoredDelivery[]> {
    const offset = filter.offset ?? 0;
    const before = filter.before;
    return this.matching(filter)
      .filter((d) => !before || listOrder(d, before) > 0)
      .slice(offset, offset + Math.min(filter.limit ?? 50, 500))
      .map(copy);
  }

  async countByStatus(filter: DeliveryFilter = {}): Promise<Record<DeliveryStatus, number>> {
    const counts: Record<DeliveryStatus, number> = { pending: 0, processing: 0, processed: 0, failed: 0, dead: 0 };
    for (const d of this.matching(filter)) counts[d.status]++;
    return counts;
  }

  async replayMatching(filter: DeliveryFilter, now: Date, options: { allHandlers?: boolean; limit: number }): Promise<number> {
    const replayable = this.matching(filter).filter((d) => d.status === 'processed' || d.status === 'failed' || d.status === 'dead');
    const chosen = replayable.slice(0, Math.max(0, Math.floor(options.limit)));
    for (const d of chosen) await this.replay(d.id, now, options);
    return chosen.length;
  }

  /** The deliveries `filter` selects (pagination aside), in list order: newest first, then by id. */
  private matching(filter: DeliveryFilter): StoredDelivery[] {
    const from = filter.receivedFrom?.getTime() ?? -Infinity;
    const to = filter.receivedTo?.getTime() ?? Infinity;
    return [...this.deliveries.values()]
      .filter(
        (d) =>
          (filter.status === undefined || d.status === filter.status) &&
          (filter.provider === undefined || d.provider === filter.provider) &&
          (filter.type === undefined || d.type === filter.type) &&
          (filter.reference === undefined || d.reference === filter.reference) &&
          (filter.eventId === undefined || d.eventId === filter.eventId) &&
          (filter.search === undefined || d.reference === filter.search || d.eventId === filter.search || d.id === filter.search) &&
          d.receivedAt.getTime() >= from &&
          d.receivedAt.getTime() < to,
      )
      .sort(listOrder);
  }

  async replay(id: string, now: Date, options: { allHandlers?: boolean } = {}): Promise<boolean> {
    const d = this.deliveries.get(id);
    if (!d || !(d.status === 'processed' || d.status === 'failed' || d.status === 'dead')) return false;
    Object.assign(d, {
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      leaseOwner: undefined,
      leaseExpiresAt: undefined,
      processedAt: undefined,
      updatedAt: now,
      handlers: options.allHandlers ? [] : d.handlers,
    });
    return true;
  }

  async prune(before: Date): Promise<number> {
    let pruned = 0;
    for (const d of [...this.deliveries.values()]) {
      if (d.status !== 'processed' || d.receivedAt.getTime() >= before.getTime()) continue;
      this.deliveries.delete(d.id);
      this.idsByEvent.delete(eventKey(d.provider, d.eventId));
      pruned += 1;
    }
    return pruned;
  }

  async stats(): Promise<InboxStats> {
    const counts: InboxStats['counts'] = { pending: 0, processing: 0, processed: 0, failed: 0, dead: 0 };
    let oldest: Date | undefined;
    for (const d of this.deliveries.values()) {
      counts[d.status]++;
      const unprocessed = d.status === 'pending' || d.status === 'processing' || d.status === 'failed';
      if (unprocessed && (!oldest || d.receivedAt < oldest)) oldest = d.receivedAt;
    }
    return { counts, oldestUnprocessedAt: oldest && new Date(oldest) };
  }

  /** Runs `work` with a manager that is not a database; outcomes recorded through it apply on commit only. */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const manager = notADatabase();
    const pending: HandlerRecord[] = [];
    this.open.set(manager, pending);
    try {
      const result = await work(manager);
      // Commit is all or nothing, as in a database: check every fence before writing anything.
      pending.forEach((record) => this.fence(record));
      pending.forEach((record) => this.apply(record));
      return result;
    } finally {
      this.open.delete(manager);
    }
  }

  private fence({ id, owner }: HandlerRecord): void {
    const d = this.deliveries.get(id);
    if (!d || d.status !== 'processing' || d.leaseOwner !== owner) throw new LeaseLostError(id, owner);
  }

  private apply({ id, owner, outcome, now, completes }: HandlerRecord): void {
    const d = this.deliveries.get(id)!;
    const previous = d.handlers.find((h) => h.handler === outcome.handler);
    const next = { handler: outcome.handler, status: outcome.status, attempts: (previous?.attempts ?? 0) + 1, lastError: outcome.error, updatedAt: now };
    d.handlers = [...d.handlers.filter((h) => h !== previous), next].sort((a, b) => (a.handler < b.handler ? -1 : a.handler > b.handler ? 1 : 0));
    if (completes) this.markProcessed(id, owner, now);
  }

  private owned(id: string, owner: string): StoredDelivery {
    const d = this.deliveries.get(id);
    if (!d || d.leaseOwner !== owner) throw new LeaseLostError(id, owner);
    return d;
  }

  /** Ends a claim held by `owner` and drops the lease. */
  private finish(id: string, owner: string, now: Date, changes: Partial<StoredDelivery>): void {
    Object.assign(this.owned(id, owner), changes, { leaseOwner: undefined, leaseExpiresAt: undefined, updatedAt: now });
  }
}

/** The list order: received_at descending, then id ascending (negative: `a` comes first). */
function listOrder(a: { receivedAt: Date; id: string }, b: { receivedAt: Date; id: string }): number {
  return b.receivedAt.getTime() - a.receivedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function eventKey(provider: string, eventId: string): string {
  return JSON.stringify([provider, eventId]);
}

// Callers get their own copy: changing it must not change the store. (Not structuredClone: under Jest
// its objects come from another realm, and strict deep equality tells them apart.)
function copy(delivery: StoredDelivery): StoredDelivery {
  const date = (value: Date | undefined) => (value === undefined ? undefined : new Date(value.getTime()));
  return {
    ...delivery,
    nextAttemptAt: date(delivery.nextAttemptAt),
    leaseExpiresAt: date(delivery.leaseExpiresAt),
    receivedAt: new Date(delivery.receivedAt.getTime()),
    updatedAt: new Date(delivery.updatedAt.getTime()),
    processedAt: date(delivery.processedAt),
    headers: { ...delivery.headers },
    handlers: delivery.handlers.map((outcome) => ({ ...outcome, updatedAt: new Date(outcome.updatedAt.getTime()) })),
  };
}

/** A stand-in EntityManager: any database call on it fails with a message that says why. */
function notADatabase(): EntityManager {
  const refuse = (member: string) => () => {
    throw new Error(
      `InMemoryInboxStore: manager.${member}() is not available, this transaction is not a database ` +
        '(only recordHandler can join it). Test database work against TypeOrmInboxStore on a real database.',
    );
  };
  return new Proxy({} as EntityManager, {
    get: (_target, member) => (typeof member === 'string' && member !== 'then' ? refuse(member) : undefined),
  });
}
