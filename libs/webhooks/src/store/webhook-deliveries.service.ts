import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { WebhookWorker, type RunSummary } from '../events/webhook.worker';
import { WEBHOOK_INBOX_STORE, WEBHOOKS_CONFIG } from '../webhooks.constants';
import type { WebhooksConfig } from '../webhooks.options';
import type { DeliveryFilter, DeliveryStatus, StoredDelivery, WebhookInboxStore } from './inbox-store.interface';

export interface WebhookStats {
  counts: Record<DeliveryStatus, number>;
  /** Deliveries not processed yet: pending, processing and failed (waiting for a retry). */
  backlog: number;
  dead: number;
  /** How long the oldest unprocessed delivery has waited; 0 when there is none. */
  oldestUnprocessedAgeMs: number;
}

/** Most deliveries one `replayMatching` call replays: a wide filter cannot flood the workers in one go. */
export const MAX_BULK_REPLAY = 1000;

/** The stored deliveries, for admin screens, support and tests. */
@Injectable()
export class WebhookDeliveries {
  constructor(
    @Inject(WEBHOOK_INBOX_STORE) private readonly store: WebhookInboxStore,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    private readonly worker: WebhookWorker,
  ) {}

  find(filter?: DeliveryFilter): Promise<StoredDelivery[]> {
    return this.store.find(filter);
  }

  get(id: string): Promise<StoredDelivery | undefined> {
    return this.store.get(id);
  }

  /**
   * Makes a processed, failed or dead delivery due again. Handlers that already succeeded are
   * skipped unless `allHandlers` is set. Throws NotFoundException for an unknown or busy delivery.
   */
  async replay(id: string, options?: { allHandlers?: boolean }): Promise<void> {
    if (!(await this.store.replay(id, this.config.clock(), options))) {
      throw new NotFoundException(`No processed, failed or dead delivery ${id} to replay.`);
    }
  }

  /** How many deliveries match `filter`, by status (pagination fields ignored). */
  countByStatus(filter?: DeliveryFilter): Promise<Record<DeliveryStatus, number>> {
    return this.store.countByStatus(filter);
  }

  /**
   * Replays the processed, failed and dead deliveries matching `filter` (pagination fields ignored),
   * newest first, at most `limit` (default and maximum 1000) per call; returns how many. Call again
   * for the rest.
   */
  replayMatching(filter: DeliveryFilter, options: { allHandlers?: boolean; limit?: number } = {}): Promise<number> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? MAX_BULK_REPLAY)), MAX_BULK_REPLAY);
    return this.store.replayMatching(filter, this.config.clock(), { allHandlers: options.allHandlers, limit });
  }

  /** Processes everything due now (tests, cron-style deployments with `worker: false`). */
  runOnce(): Promise<RunSummary> {
    return this.worker.runOnce();
  }

  /** Deletes processed deliveries older than `olderThanMs`; pending, failed and dead ones are kept. */
  prune(olderThanMs: number): Promise<number> {
    return this.store.prune(new Date(this.config.clock().getTime() - olderThanMs));
  }

  /**
   * The backlog (pending, processing and failed deliveries), dead letters, counts by status and the age
   * of the oldest unprocessed delivery: what a readiness check or a dashboard watches.
   */
  async stats(): Promise<WebhookStats> {
    const { counts, oldestUnprocessedAt } = await this.store.stats();
    return {
      counts,
      backlog: counts.pending + counts.processing + counts.failed,
      dead: counts.dead,
      oldestUnprocessedAgeMs: oldestUnprocessedAt ? Math.max(0, this.config.clock().getTime() - oldestUnprocessedAt.getTime()) : 0,
    };
  }

  /**
   * A transaction on the inbox's database. On SQLite (one shared connection) run your own
   * transactions through this, so they take turns with the library's.
   */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.store.transaction(work);
  }
}
