import type { DataSource, EntityManager } from 'typeorm';
import type {
  ClaimRequest,
  InboxStats,
  ClaimedDelivery,
  DeliveryFilter,
  DeliveryStatus,
  FailureOutcome,
  HandlerOutcome,
  HandlerStatus,
  InsertResult,
  NewDelivery,
  StoredDelivery,
  WebhookInboxStore,
} from './inbox-store.interface';
import { deliveryId } from './delivery-id';
import { LeaseLostError } from './lease-lost.error';
import { GroupCommit } from './group-commit';
import { SerialQueue } from './serial-queue';

type Row = Record<string, unknown>;
type Executor = Pick<EntityManager, 'query'>;

// The row the worker updates; the raw body and headers are in webhook_delivery_payloads, written once.
const STATE_COLUMNS =
  'id, provider, event_id, type, status, attempts, next_attempt_at, lease_owner, lease_expires_at, last_error, payment_type, reference, received_at, updated_at, processed_at';

/** A processed delivery's columns, its lease dropped; parameters: processed_at, updated_at. */
const PROCESSED = `status = 'processed', processed_at = ?, next_attempt_at = NULL, last_error = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?`;

// A sender waits for an acknowledgement's INSERT: on SQLite it goes before queued handler transactions.
const URGENT = { urgent: true };

export interface TypeOrmInboxStoreOptions {
  /** Longest an acknowledgement's INSERT may take before its deliveries fail with `StoreUnavailableError`. Default 5 s. */
  insertTimeoutMs?: number;
  /** Most deliveries waiting for an INSERT; past it, new ones fail at once. Default 1000. */
  queueLimit?: number;
}

/** The inbox on a TypeORM data source: PostgreSQL or SQLite (better-sqlite3), same SQL, same migrations. */
export class TypeOrmInboxStore implements WebhookInboxStore {
  private readonly postgres: boolean;
  // SQLite has one connection for everything: the library's own work takes turns on it.
  private readonly queue?: SerialQueue;
  // Acknowledgements arriving together share one INSERT and one commit.
  private readonly inserts: GroupCommit<NewDelivery, InsertResult>;
  // The acknowledgement INSERTs, written once per batch size (up to maxBatch of each) rather than per batch.
  private readonly statements = new InsertStatements((text) => this.sql(text));
  // Deliveries finishing together share one UPDATE and one commit too.
  private readonly completions: GroupCommit<{ id: string; owner: string; now: Date }, boolean>;

  constructor(
    private readonly dataSource: DataSource,
    options: TypeOrmInboxStoreOptions = {},
  ) {
    this.inserts = new GroupCommit((batch) => this.insertMany(batch), {
      maxBatch: 200,
      maxQueue: options.queueLimit ?? 1000,
      timeoutMs: options.insertTimeoutMs ?? 5000,
    });
    // Off the acknowledgement path: a completion that cannot be written leaves the lease to expire, and the delivery is retried.
    this.completions = new GroupCommit((batch) => this.completeMany(batch), { maxBatch: 200, maxQueue: 10_000, timeoutMs: 30_000 });
    const type = dataSource.options.type;
    if (type !== 'postgres' && type !== 'better-sqlite3' && type !== 'sqlite') {
      throw new Error(`The webhook inbox supports PostgreSQL and SQLite (better-sqlite3); the data source is "${type}".`);
    }
    this.postgres = type === 'postgres';
    if (!this.postgres) this.queue = new SerialQueue();
  }

  insertOrFind(delivery: NewDelivery): Promise<InsertResult> {
    return this.inserts.submit(delivery);
  }

  /** Inserts a batch in one commit; copies (in the table or in the batch) answer the first one's id. */
  private insertMany(deliveries: NewDelivery[]): Promise<InsertResult[]> {
    return this.exclusive(async () => {
      // The first copy of each (provider, event id) is the row written; `rowOf[i]` is delivery i's row.
      // Plain loops: this runs for every acknowledged delivery, and spreads or flatMap cost more than the rest.
      const rowIndex = new Map<string, number>();
      const rows: NewDelivery[] = [];
      const ids: string[] = [];
      const rowOf = new Array<number>(deliveries.length);
      for (let i = 0; i < deliveries.length; i++) {
        const delivery = deliveries[i];
        const key = keyOf(delivery.provider, delivery.eventId);
        let row = rowIndex.get(key);
        if (row === undefined) {
          row = rows.push(delivery) - 1;
          ids.push(deliveryId(delivery.receivedAt.getTime()));
          rowIndex.set(key, row);
        }
        rowOf[i] = row;
      }
      const params: unknown[] = [];
      for (let row = 0; row < rows.length; row++) pushStateParams(params, ids[row], rows[row]);
      let inserted: Row[];
      if (this.postgres) {
        // One statement: the payloads of the rows that were new, joined on what the INSERT returned.
        for (let row = 0; row < rows.length; row++) pushPayloadParams(params, ids[row], rows[row]);
        inserted = await this.dataSource.query(this.statements.postgresInsert(rows.length), params);
      } else {
        // SQLite has no INSERT in WITH: two statements, one transaction.
        inserted = await this.dataSource.transaction(async (tx) => {
          const returned: Row[] = await tx.query(this.statements.deliveriesInsert(rows.length), params);
          const payloads: unknown[] = [];
          const fresh = new Set(returned.map((row) => String(row.id)));
          for (let row = 0; row < rows.length; row++) if (fresh.has(ids[row])) pushPayloadParams(payloads, ids[row], rows[row]);
          if (payloads.length > 0) await tx.query(this.statements.payloadsInsert(payloads.length / 3), payloads);
          return returned;
        });
      }
      const fresh = new Set(inserted.map((row) => String(row.id)));
      // Rows that were already stored (a provider's retry): their first copy's id, found in one statement.
      const conflicting: number[] = [];
      for (let row = 0; row < rows.length; row++) if (!fresh.has(ids[row])) conflicting.push(row);
      if (conflicting.length > 0) {
        const found: Row[] = await this.dataSource.query(
          this.sql(`SELECT id, provider, event_id FROM webhook_deliveries WHERE ${conflicting.map(() => '(provider = ? AND event_id = ?)').join(' OR ')}`),
          conflicting.flatMap((row) => [rows[row].provider, rows[row].eventId]),
        );
        const existing = new Map(found.map((row) => [keyOf(row.provider, row.event_id), String(row.id)]));
        for (const row of conflicting) ids[row] = existing.get(keyOf(rows[row].provider, rows[row].eventId)) ?? '';
      }
      const answered = new Array<boolean>(rows.length).fill(false);
      const results = new Array<InsertResult>(deliveries.length);
      for (let i = 0; i < deliveries.length; i++) {
        const row = rowOf[i];
        const id = ids[row];
        if (!id) throw new Error(`Delivery ${deliveries[i].provider}/${deliveries[i].eventId} neither inserted nor found`);
        if (fresh.has(id) && !answered[row]) {
          answered[row] = true;
          results[i] = rows[row].lease ? { id, duplicate: false, leased: true } : { id, duplicate: false };
        } else {
          results[i] = { id, duplicate: true };
        }
      }
      return results;
    }, URGENT);
  }

  claimDue(request: ClaimRequest): Promise<ClaimedDelivery[]> {
    return this.exclusive(async () => {
      // Expired leases first (an instance died or stalled): under a sustained backlog they would wait forever otherwise.
      const claimed = await this.claimWhere(`status = 'processing' AND lease_expires_at <= ?`, 'lease_expires_at', request.now, request, request.limit);
      if (claimed.length < request.limit) {
        const dueBy = request.dueBy ?? request.now;
        claimed.push(...(await this.claimWhere(`status IN ('pending', 'failed') AND next_attempt_at <= ?`, 'next_attempt_at', dueBy, request, request.limit - claimed.length)));
      }
      return this.withHandlers(claimed);
    });
  }

  /** One atomic claim: PostgreSQL's SKIP LOCKED lets concurrent claimers take disjoint rows; SQLite serializes writers. */
  private async claimWhere(condition: string, order: string, bound: Date, request: ClaimRequest, limit: number): Promise<ClaimedDelivery[]> {
    const now = request.now.getTime();
    const rows = await this.dataSource.query(
      this.sql(
        `UPDATE webhook_deliveries SET status = 'processing', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ?
         WHERE id IN (SELECT id FROM webhook_deliveries WHERE ${condition} ORDER BY ${order} LIMIT ?${this.postgres ? ' FOR UPDATE SKIP LOCKED' : ''})
         RETURNING ${STATE_COLUMNS}`,
      ),
      [request.owner, now + request.leaseMs, now, bound.getTime(), limit],
    );
    return (await this.withPayloads(returnedRows(rows))) as ClaimedDelivery[];
  }

  extendLease(id: string, owner: string, until: Date, now: Date): Promise<boolean> {
    return this.exclusive(async () => {
      const rows = await this.dataSource.query(
        this.sql(`UPDATE webhook_deliveries SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND lease_owner = ? AND status = 'processing' RETURNING id`),
        [until.getTime(), now.getTime(), id, owner],
      );
      return returnedRows(rows).length > 0;
    });
  }

  recordHandler(id: string, owner: string, outcome: { handler: string; status: HandlerStatus; error?: string }, now: Date, manager?: EntityManager): Promise<void> {
    // One fenced statement: the outcome is written only while `owner` holds the lease. On PostgreSQL the
    // row lock keeps a takeover out until the handler's transaction (if any) has committed or rolled back.
    const write = async (executor: Executor) => {
      const rows = await executor.query(
        this.sql(
          `INSERT INTO webhook_handler_runs (delivery_id, handler, status, attempts, last_error, updated_at)
           SELECT id, ?, ?, 1, ?, ? FROM webhook_deliveries WHERE id = ? AND lease_owner = ? AND status = 'processing'${this.postgres ? ' FOR UPDATE' : ''}
           ON CONFLICT (delivery_id, handler) DO UPDATE SET status = excluded.status, attempts = webhook_handler_runs.attempts + 1,
             last_error = excluded.last_error, updated_at = excluded.updated_at
           RETURNING delivery_id`,
        ),
        [outcome.handler, outcome.status, outcome.error ? truncate(outcome.error) : null, now.getTime(), id, owner],
      );
      if (returnedRows(rows).length === 0) throw new LeaseLostError(id, owner);
    };
    // Inside the handler's own transaction, the record commits or rolls back with its writes.
    if (manager) return write(manager);
    return this.exclusive(() => write(this.dataSource));
  }

  completeWithHandler(id: string, owner: string, handler: string, now: Date, manager?: EntityManager): Promise<void> {
    const write = (executor: Executor) => this.completeWithRecord([{ id, owner }], handler, now, executor);
    if (manager) return write(manager);
    // On PostgreSQL one statement is all or nothing; SQLite's two need a transaction.
    return this.postgres ? write(this.dataSource) : this.transaction(write);
  }

  completeManyWithHandler(deliveries: ReadonlyArray<{ id: string; owner: string }>, handler: string, now: Date, manager: EntityManager): Promise<void> {
    return this.completeWithRecord(deliveries, handler, now, manager);
  }

  /**
   * Marks the deliveries processed, each only while its owner holds the lease, and records `handler` as
   * succeeded on each; throws `LeaseLostError` for the first one that was not (the caller's transaction
   * then rolls back: they are recorded all together or not at all). The completion takes the row locks
   * first, as recordHandler's FOR UPDATE does.
   */
  private async completeWithRecord(deliveries: ReadonlyArray<{ id: string; owner: string }>, handler: string, now: Date, executor: Executor): Promise<void> {
    const at = now.getTime();
    const keys = deliveries.flatMap(({ id, owner }) => [id, owner]);
    const complete = `UPDATE webhook_deliveries SET ${PROCESSED} WHERE (id, lease_owner) IN (${deliveries.map(() => '(?, ?)').join(', ')}) AND status = 'processing' RETURNING id`;
    const record = (from: string) => `INSERT INTO webhook_handler_runs (delivery_id, handler, status, attempts, last_error, updated_at) SELECT id, ?, 'succeeded', 1, NULL, ? ${from}
      ON CONFLICT (delivery_id, handler) DO UPDATE SET status = excluded.status, attempts = webhook_handler_runs.attempts + 1, last_error = NULL, updated_at = excluded.updated_at
      RETURNING delivery_id`;
    const fence = (rows: unknown) => {
      const done = new Set(returnedRows(rows).map((row) => String(row.delivery_id ?? row.id)));
      const lost = deliveries.find(({ id }) => !done.has(id));
      if (lost) throw new LeaseLostError(lost.id, lost.owner);
    };
    if (this.postgres) {
      // One statement: the fenced completions and the handler's records.
      fence(await executor.query(this.sql(`WITH done AS (${complete}) ${record('FROM done')}`), [at, at, ...keys, handler, at]));
      return;
    }
    // SQLite has no UPDATE in WITH: two statements in the caller's transaction, on its single in-process connection.
    fence(await executor.query(complete, [at, at, ...keys]));
    const ids = deliveries.map(({ id }) => id);
    await executor.query(record(`FROM webhook_deliveries WHERE id IN (${ids.map(() => '?').join(', ')})`), [handler, at, ...ids]);
  }

  async complete(id: string, owner: string, now: Date): Promise<void> {
    if (!(await this.completions.submit({ id, owner, now }))) throw new LeaseLostError(id, owner);
  }

  /** Completes a batch in one fenced statement: each row only while its owner still holds the lease. */
  private completeMany(items: Array<{ id: string; owner: string; now: Date }>): Promise<boolean[]> {
    return this.exclusive(async () => {
      const at = Math.max(...items.map((item) => item.now.getTime()));
      const rows = await this.dataSource.query(
        this.sql(
          `UPDATE webhook_deliveries SET ${PROCESSED}
           WHERE (id, lease_owner) IN (${items.map(() => '(?, ?)').join(', ')}) RETURNING id`,
        ),
        [at, at, ...items.flatMap((item) => [item.id, item.owner])],
      );
      const done = new Set(returnedRows(rows).map((row) => String(row.id)));
      return items.map((item) => done.has(item.id));
    });
  }

  fail(id: string, owner: string, outcome: FailureOutcome, now: Date): Promise<void> {
    if ('dead' in outcome) return this.finish(id, owner, now, `status = 'dead', next_attempt_at = NULL, last_error = ?`, [truncate(outcome.error)]);
    return this.finish(id, owner, now, `status = 'failed', next_attempt_at = ?, last_error = ?`, [outcome.retryAt.getTime(), truncate(outcome.error)]);
  }

  release(id: string, owner: string, now: Date): Promise<void> {
    // The attempt did not run to its end: it is not counted, and the delivery is due at once.
    return this.finish(id, owner, now, `status = CASE WHEN attempts > 1 THEN 'failed' ELSE 'pending' END, attempts = attempts - 1, next_attempt_at = ?`, [now.getTime()]);
  }

  get(id: string): Promise<StoredDelivery | undefined> {
    return this.exclusive(async () => {
      const rows: Row[] = await this.dataSource.query(this.sql(`SELECT ${STATE_COLUMNS} FROM webhook_deliveries WHERE id = ?`), [id]);
      const [delivery] = await this.withHandlers(await this.withPayloads(rows));
      return delivery;
    });
  }

  find(filter: DeliveryFilter = {}): Promise<StoredDelivery[]> {
    const { where, params } = filterSql(filter);
    if (filter.before) {
      // The list order is received_at DESC, id: what comes after the cursor.
      where.push('(received_at < ? OR (received_at = ? AND id > ?))');
      params.push(filter.before.receivedAt.getTime(), filter.before.receivedAt.getTime(), filter.before.id);
    }
    params.push(Math.min(filter.limit ?? 50, 500), filter.offset ?? 0);
    return this.exclusive(async () => {
      const rows: Row[] = await this.dataSource.query(
        this.sql(`SELECT ${STATE_COLUMNS} FROM webhook_deliveries ${whereClause(where)} ORDER BY received_at DESC, id LIMIT ? OFFSET ?`),
        params,
      );
      return this.withHandlers(await this.withPayloads(rows));
    });
  }

  countByStatus(filter: DeliveryFilter = {}): Promise<Record<DeliveryStatus, number>> {
    const { where, params } = filterSql(filter);
    return this.exclusive(async () => {
      const rows: Array<{ status: DeliveryStatus; count: string | number }> = await this.dataSource.query(
        this.sql(`SELECT status, COUNT(*) AS count FROM webhook_deliveries ${whereClause(where)} GROUP BY status`),
        params,
      );
      const counts: Record<DeliveryStatus, number> = { pending: 0, processing: 0, processed: 0, failed: 0, dead: 0 };
      for (const row of rows) counts[row.status] = Number(row.count);
      return counts;
    });
  }

  replayMatching(filter: DeliveryFilter, now: Date, options: { allHandlers?: boolean; limit: number }): Promise<number> {
    const { where, params } = filterSql(filter);
    where.push(`status IN ('processed', 'failed', 'dead')`);
    return this.transaction(async (tx) => {
      // The outer status check is evaluated again on each row as it is updated: a delivery claimed meanwhile is left alone.
      const rows = await tx.query(
        this.sql(
          `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, processed_at = NULL, updated_at = ?
           WHERE status IN ('processed', 'failed', 'dead')
             AND id IN (SELECT id FROM webhook_deliveries ${whereClause(where)} ORDER BY received_at DESC, id LIMIT ?)
           RETURNING id`,
        ),
        [now.getTime(), now.getTime(), ...params, Math.max(0, Math.floor(options.limit))],
      );
      const replayed = returnedRows(rows).map((row) => String(row.id));
      if (options.allHandlers && replayed.length > 0) {
        await tx.query(this.sql(`DELETE FROM webhook_handler_runs WHERE delivery_id IN (${replayed.map(() => '?').join(', ')})`), replayed);
      }
      return replayed.length;
    });
  }

  replay(id: string, now: Date, options: { allHandlers?: boolean } = {}): Promise<boolean> {
    return this.transaction(async (tx) => {
      const rows = await tx.query(
        this.sql(
          `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, processed_at = NULL, updated_at = ?
           WHERE id = ? AND status IN ('processed', 'failed', 'dead') RETURNING id`,
        ),
        [now.getTime(), now.getTime(), id],
      );
      if (returnedRows(rows).length === 0) return false;
      if (options.allHandlers) await tx.query(this.sql('DELETE FROM webhook_handler_runs WHERE delivery_id = ?'), [id]);
      return true;
    });
  }

  prune(before: Date): Promise<number> {
    return this.exclusive(async () => {
      const rows = await this.dataSource.query(
        // Payloads and handler outcomes go with their delivery (ON DELETE CASCADE).
        this.sql(`DELETE FROM webhook_deliveries WHERE status = 'processed' AND received_at < ? RETURNING id`),
        [before.getTime()],
      );
      return returnedRows(rows).length;
    });
  }

  stats(): Promise<InboxStats> {
    return this.exclusive(async () => {
      // One scan of the status column; the partial indexes keep the MIN cheap on both databases.
      const rows: Array<{ status: DeliveryStatus; count: string | number; oldest: string | number | null }> = await this.dataSource.query(
        `SELECT status, COUNT(*) AS count, MIN(CASE WHEN status IN ('pending', 'processing', 'failed') THEN received_at END) AS oldest FROM webhook_deliveries GROUP BY status`,
      );
      const counts: Record<DeliveryStatus, number> = { pending: 0, processing: 0, processed: 0, failed: 0, dead: 0 };
      let oldest: number | undefined;
      for (const row of rows) {
        counts[row.status] = Number(row.count);
        if (row.oldest !== null && (oldest === undefined || Number(row.oldest) < oldest)) oldest = Number(row.oldest);
      }
      return { counts, oldestUnprocessedAt: oldest === undefined ? undefined : new Date(oldest) };
    });
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.dataSource.transaction(work));
  }

  private exclusive<T>(work: () => Promise<T>, options?: { urgent?: boolean }): Promise<T> {
    return this.queue ? this.queue.run(work, options) : work();
  }

  /** Ends a claim: one fenced UPDATE that also drops the lease. */
  private async finish(id: string, owner: string, now: Date, set: string, params: unknown[]): Promise<void> {
    await this.exclusive(async () => {
      const rows = await this.dataSource.query(
        this.sql(`UPDATE webhook_deliveries SET ${set}, lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND lease_owner = ? RETURNING id`),
        [...params, now.getTime(), id, owner],
      );
      if (returnedRows(rows).length === 0) throw new LeaseLostError(id, owner);
    });
  }

  /** The deliveries of these rows, with the payloads written beside them at insert (read by primary key, in the order given). */
  private async withPayloads(rows: Row[]): Promise<StoredDelivery[]> {
    if (rows.length === 0) return [];
    const payloads: Row[] = await this.dataSource.query(
      this.sql(`SELECT delivery_id, raw_body, headers FROM webhook_delivery_payloads WHERE delivery_id IN (${rows.map(() => '?').join(', ')})`),
      rows.map((row) => row.id),
    );
    const byId = new Map(payloads.map((payload) => [String(payload.delivery_id), payload]));
    return rows.map((row) => toDelivery({ ...row, ...byId.get(String(row.id)) }, []));
  }

  private async withHandlers<T extends StoredDelivery>(deliveries: T[]): Promise<T[]> {
    if (deliveries.length === 0) return deliveries;
    const placeholders = deliveries.map(() => '?').join(', ');
    const rows: Row[] = await this.dataSource.query(
      this.sql(`SELECT delivery_id, handler, status, attempts, last_error, updated_at FROM webhook_handler_runs WHERE delivery_id IN (${placeholders}) ORDER BY handler`),
      deliveries.map((delivery) => delivery.id),
    );
    const byDelivery = new Map<string, HandlerOutcome[]>();
    for (const row of rows) {
      const list = byDelivery.get(String(row.delivery_id)) ?? [];
      list.push({
        handler: String(row.handler),
        status: row.status as HandlerStatus,
        attempts: Number(row.attempts),
        lastError: optionalString(row.last_error),
        updatedAt: new Date(Number(row.updated_at)),
      });
      byDelivery.set(String(row.delivery_id), list);
    }
    return deliveries.map((delivery) => ({ ...delivery, handlers: byDelivery.get(delivery.id) ?? [] }));
  }

  /** Writes SQL once with `?` placeholders; PostgreSQL gets `$1, $2…`. */
  private sql(text: string): string {
    if (!this.postgres) return text;
    let index = 0;
    return text.replace(/\?/g, () => `$${++index}`);
  }
}

/** The text of the batched INSERTs for `n` rows, built on first use and kept. */
class InsertStatements {
  private readonly cache = new Map<string, string>();

  constructor(private readonly dialect: (text: string) => string) {}

  /** SQLite's first statement (it has no INSERT inside WITH). */
  deliveriesInsert(n: number): string {
    return this.cached('deliveries', n, () => deliveriesInsert(n));
  }

  /** SQLite's second statement, for the rows the first one inserted. */
  payloadsInsert(n: number): string {
    return this.cached('payloads', n, () => `INSERT INTO webhook_delivery_payloads (delivery_id, raw_body, headers) VALUES ${tuples(n, 3)}`);
  }

  /** PostgreSQL: one statement, the payloads of the rows that were new joined on what the INSERT returned. */
  postgresInsert(n: number): string {
    return this.cached('postgres', n, () =>
      this.dialect(
        `WITH fresh AS (${deliveriesInsert(n)}), payloads AS (
           INSERT INTO webhook_delivery_payloads (delivery_id, raw_body, headers)
           SELECT given.id, given.raw_body, given.headers FROM (VALUES ${tuples(n, 3)}) AS given (id, raw_body, headers) JOIN fresh ON fresh.id = given.id)
         SELECT id FROM fresh`,
      ),
    );
  }

  private cached(kind: string, n: number, build: () => string): string {
    const key = `${kind} ${n}`;
    let text = this.cache.get(key);
    if (text === undefined) this.cache.set(key, (text = build()));
    return text;
  }
}

function deliveriesInsert(n: number): string {
  return `INSERT INTO webhook_deliveries (id, provider, event_id, type, status, attempts, lease_owner, lease_expires_at, next_attempt_at, payment_type, reference, received_at, updated_at)
    VALUES ${tuples(n, 13)}
    ON CONFLICT (provider, event_id) DO NOTHING RETURNING id`;
}

function tuples(rows: number, columns: number): string {
  const tuple = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => tuple).join(', ');
}

const keyOf = (provider: unknown, eventId: unknown) => `${provider}\u0000${eventId}`;

/** A new row's 13 columns, in `deliveriesInsert`'s order. */
function pushStateParams(params: unknown[], id: string, row: NewDelivery): void {
  const at = row.receivedAt.getTime();
  const lease = row.lease;
  // Leased at insert: already its first attempt, as a claim would have made it.
  params.push(id, row.provider, row.eventId, row.type, lease ? 'processing' : 'pending', lease ? 1 : 0, lease ? lease.owner : null, lease ? lease.expiresAt.getTime() : null);
  params.push(at, row.paymentType ?? null, row.reference ?? null, at, at);
}

/** A new row's payload: id, raw body, headers. */
function pushPayloadParams(params: unknown[], id: string, row: NewDelivery): void {
  params.push(id, row.rawBody, JSON.stringify(row.headers));
}

// TypeORM's PostgreSQL driver answers UPDATE/DELETE … RETURNING with [rows, count]; SQLite with rows.
function returnedRows(result: unknown): Row[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as Row[];
  return Array.isArray(result) ? (result as Row[]) : [];
}

function toDelivery(row: Row, handlers: HandlerOutcome[]): StoredDelivery {
  return {
    id: String(row.id),
    provider: String(row.provider),
    eventId: String(row.event_id),
    type: String(row.type),
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: optionalDate(row.next_attempt_at),
    leaseOwner: optionalString(row.lease_owner),
    leaseExpiresAt: optionalDate(row.lease_expires_at),
    lastError: optionalString(row.last_error),
    rawBody: String(row.raw_body),
    headers: JSON.parse(String(row.headers)) as Record<string, string>,
    paymentType: optionalString(row.payment_type),
    reference: optionalString(row.reference),
    receivedAt: new Date(Number(row.received_at)),
    updatedAt: new Date(Number(row.updated_at)),
    processedAt: optionalDate(row.processed_at),
    handlers,
  };
}

/** The conditions of a filter, in `?` placeholders; pagination fields are the caller's. */
function filterSql(filter: DeliveryFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const columns = [['status', filter.status], ['provider', filter.provider], ['type', filter.type], ['reference', filter.reference], ['event_id', filter.eventId]] as const;
  for (const [column, value] of columns) {
    if (value !== undefined) {
      where.push(`${column} = ?`);
      params.push(value);
    }
  }
  if (filter.search !== undefined) {
    where.push('(reference = ? OR event_id = ? OR id = ?)');
    params.push(filter.search, filter.search, filter.search);
  }
  if (filter.receivedFrom) {
    where.push('received_at >= ?');
    params.push(filter.receivedFrom.getTime());
  }
  if (filter.receivedTo) {
    where.push('received_at < ?');
    params.push(filter.receivedTo.getTime());
  }
  return { where, params };
}

function whereClause(where: string[]): string {
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

function optionalString(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

function optionalDate(value: unknown): Date | undefined {
  return value === null || value === undefined ? undefined : new Date(Number(value));
}

function truncate(text: string, max = 4000): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
