import type { EntityManager } from 'typeorm';

export type DeliveryStatus = 'pending' | 'processing' | 'processed' | 'failed' | 'dead';

/** How the inbox stands: one count per status, and the oldest delivery not processed yet. */
export interface InboxStats {
  counts: Record<DeliveryStatus, number>;
  /** Receipt time of the oldest pending, processing or failed delivery; undefined when there is none. */
  oldestUnprocessedAt?: Date;
}
export type HandlerStatus = 'succeeded' | 'failed';

/** A verified delivery, as stored before the acknowledgement. */
export interface NewDelivery {
  provider: string;
  eventId: string;
  type: string;
  /** The exact body received (UTF-8). */
  rawBody: string;
  /** Request headers with credentials redacted. */
  headers: Record<string, string>;
  paymentType?: string;
  reference?: string;
  receivedAt: Date;
  /**
   * Store it claimed by `owner` until `expiresAt` (its first attempt), so the instance that received it
   * processes it from memory, with no claim and no second read. A store may ignore it: it answers
   * `leased: false` and the delivery is pending, claimed as usual. A copy already stored is never leased.
   */
  lease?: { owner: string; expiresAt: Date };
}

/** What `insertOrFind` answers: the stored id (the first copy's for a duplicate), and whether the new row was leased at insert. */
export interface InsertResult {
  id: string;
  duplicate: boolean;
  leased?: boolean;
}

export interface HandlerOutcome {
  handler: string;
  status: HandlerStatus;
  attempts: number;
  lastError?: string;
  updatedAt: Date;
}

export interface StoredDelivery {
  id: string;
  provider: string;
  eventId: string;
  type: string;
  status: DeliveryStatus;
  /** Processing attempts so far (claims). */
  attempts: number;
  nextAttemptAt?: Date;
  leaseOwner?: string;
  leaseExpiresAt?: Date;
  lastError?: string;
  rawBody: string;
  headers: Record<string, string>;
  paymentType?: string;
  reference?: string;
  receivedAt: Date;
  updatedAt: Date;
  processedAt?: Date;
  /** Per-handler outcomes; a handler without one has not run to completion yet. */
  handlers: HandlerOutcome[];
}

/** A delivery this instance holds the lease of; every write about it must carry `leaseOwner`. */
export type ClaimedDelivery = StoredDelivery & { leaseOwner: string; leaseExpiresAt: Date };

/** A position in the list (newest first): the last delivery seen. */
export interface DeliveryCursor {
  receivedAt: Date;
  id: string;
}

/** Which deliveries: every field given must match. */
export interface DeliveryFilter {
  status?: DeliveryStatus;
  /** The endpoint's name. */
  provider?: string;
  type?: string;
  reference?: string;
  /** The provider's event id. */
  eventId?: string;
  /** An exact reference, provider event id or delivery id: what a customer or a log line gives you. */
  search?: string;
  /** Received at or after this time. */
  receivedFrom?: Date;
  /** Received before this time. */
  receivedTo?: Date;
  /**
   * Keyset pagination for `find`: only deliveries after this one in the list order (received_at
   * descending, then id), so pages stay right while new deliveries arrive.
   */
  before?: DeliveryCursor;
  /** `find` only: at most this many (default 50, at most 500). */
  limit?: number;
  /** `find` only; prefer `before`, which new deliveries do not shift. */
  offset?: number;
}

/** One claim round of one instance. */
export interface ClaimRequest {
  owner: string;
  now: Date;
  /** Deliveries scheduled up to this time are due; lets a round keep one horizon while `now` moves on. */
  dueBy?: Date;
  leaseMs: number;
  limit: number;
}

/** What to do with a delivery whose handlers did not all succeed. */
export type FailureOutcome = { retryAt: Date; error: string } | { dead: true; error: string };

/**
 * The durable inbox. The database decides duplicates (unique provider + event id) and ownership
 * (conditional claims with a lease); every write after a claim is fenced by the lease owner and
 * throws `LeaseLostError` when another instance has taken the delivery over.
 */
export interface WebhookInboxStore {
  /** Stores a new delivery, or finds the first copy: the same `id` either way. */
  insertOrFind(delivery: NewDelivery): Promise<InsertResult>;
  /**
   * Atomically leases up to `limit` deliveries: first those whose lease expired at `now` (their
   * instance died or stalled), then new and failed ones due by `dueBy` (default `now`). Leases run
   * from `now` for `leaseMs`.
   */
  claimDue(request: ClaimRequest): Promise<ClaimedDelivery[]>;
  /** Extends a lease still held; false when it was lost. */
  extendLease(id: string, owner: string, until: Date, now: Date): Promise<boolean>;
  /**
   * Records one handler's outcome. With `manager`, the record joins that transaction, so a handler's
   * own writes and "this handler is done" commit together.
   */
  recordHandler(id: string, owner: string, outcome: { handler: string; status: HandlerStatus; error?: string }, now: Date, manager?: EntityManager): Promise<void>;
  /** Marks the delivery processed and releases the lease. */
  complete(id: string, owner: string, now: Date): Promise<void>;
  /**
   * Optional: records the delivery's last outstanding handler as succeeded **and** marks the delivery
   * processed, in one fenced write; with `manager`, inside that transaction, so a handler's own writes,
   * its outcome and the completion commit together. The dispatcher uses it when every other handler has
   * succeeded; without it, it calls `recordHandler` then `complete`.
   */
  completeWithHandler?(id: string, owner: string, handler: string, now: Date, manager?: EntityManager): Promise<void>;
  /**
   * Optional: `completeWithHandler` for many deliveries at once (a batch handler's), in one fenced
   * write inside the caller's transaction. If any of them is no longer leased to its owner it throws
   * `LeaseLostError` for that one, and the caller's transaction rolls back. Without it, the dispatcher
   * calls `completeWithHandler` for each.
   */
  completeManyWithHandler?(deliveries: ReadonlyArray<{ id: string; owner: string }>, handler: string, now: Date, manager: EntityManager): Promise<void>;
  /** Schedules a retry, or marks the delivery dead, and releases the lease. */
  fail(id: string, owner: string, outcome: FailureOutcome, now: Date): Promise<void>;
  /** Gives a lease back unfinished (shutdown): the delivery is due again at once, the attempt not counted. */
  release(id: string, owner: string, now: Date): Promise<void>;
  get(id: string): Promise<StoredDelivery | undefined>;
  find(filter?: DeliveryFilter): Promise<StoredDelivery[]>;
  /**
   * Makes a processed, failed or dead delivery due now. By default only handlers that have not
   * succeeded run again; `{ allHandlers: true }` forgets every outcome first.
   */
  replay(id: string, now: Date, options?: { allHandlers?: boolean }): Promise<boolean>;
  /** How many deliveries match `filter` (its `limit`, `offset` and `before` ignored), by status. */
  countByStatus(filter?: DeliveryFilter): Promise<Record<DeliveryStatus, number>>;
  /**
   * Replays, as `replay` does, the processed, failed and dead deliveries matching `filter` (its `limit`,
   * `offset` and `before` ignored), newest first, at most `limit` of them. Returns how many it replayed.
   */
  replayMatching(filter: DeliveryFilter, now: Date, options: { allHandlers?: boolean; limit: number }): Promise<number>;
  /** Deletes processed deliveries received before `before`; never pending, failed or dead ones. */
  prune(before: Date): Promise<number>;
  /** Counts by status and the oldest unprocessed delivery, for health checks and metrics. */
  stats(): Promise<InboxStats>;
  /** Runs `work` in a transaction of the inbox's database. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
}
