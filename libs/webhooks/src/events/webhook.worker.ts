import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ClaimedDelivery, WebhookInboxStore } from '../store/inbox-store.interface';
import { WEBHOOK_INBOX_STORE, WEBHOOKS_CONFIG } from '../webhooks.constants';
import type { WebhooksConfig } from '../webhooks.options';
import { WebhookDispatcher, type DispatchOutcome } from './webhook.dispatcher';
import { WebhookIngress } from '../ingress/webhook-ingress.service';

/** Longest pause between rounds while the database keeps failing; a new delivery still starts one at once. */
const MAX_FAILED_ROUND_DELAY_MS = 15_000;

export interface RunSummary {
  claimed: number;
  processed: number;
  retried: number;
  dead: number;
  leaseLost: number;
  /** Stopped by shutdown's grace period or a lost lease, and handed back unrecorded. */
  aborted: number;
}

/**
 * Claims due deliveries and dispatches them, in the background (polling, and nudged after every
 * new delivery) or on demand with `runOnce()`. Any number of instances can share one database.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private timer?: NodeJS.Timeout;
  private running?: Promise<RunSummary>;
  private rerun = false;
  /** Rounds failed in a row (database down): polling backs off and logs once, not every second. */
  private failedRounds = 0;
  private stopping = false;
  private readonly inFlight = new Map<string, { delivery: ClaimedDelivery; done: Promise<unknown>; abort: AbortController }>();
  /** The claim statement in flight, if any: shutdown waits for it, so no lease is taken behind its back. */
  private claiming?: Promise<ClaimedDelivery[]>;

  constructor(
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    @Inject(WEBHOOK_INBOX_STORE) private readonly store: WebhookInboxStore,
    private readonly dispatcher: WebhookDispatcher,
    private readonly ingress: WebhookIngress,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.worker) return;
    this.ingress.onStored = () => this.nudge();
    this.schedule(0);
  }

  /**
   * Claims and dispatches every delivery due when called (retries it schedules wait for the next
   * call). Safe to call concurrently with the background worker and from several instances.
   */
  async runOnce(): Promise<RunSummary> {
    const total: RunSummary = { claimed: 0, processed: 0, retried: 0, dead: 0, leaseLost: 0, aborted: 0 };
    // What is due is fixed at the call; each lease runs from its own claim, so a long backlog never
    // hands out leases that are already expired (and claimable by another instance) when taken.
    const dueBy = this.config.clock();
    while (!this.stopping) {
      this.claiming = this.claim(dueBy);
      const batch = await this.claiming.finally(() => (this.claiming = undefined));
      if (batch.length === 0) break;
      total.claimed += batch.length;
      const outcomes = await Promise.all(batch.map((delivery) => this.process(delivery)));
      for (const outcome of outcomes) {
        if (outcome === 'processed') total.processed++;
        else if (outcome === 'retry') total.retried++;
        else if (outcome === 'dead') total.dead++;
        else if (outcome === 'lease-lost') total.leaseLost++;
        else total.aborted++;
      }
    }
    return total;
  }

  /** Before the data source closes: stop claiming, let running handlers finish, hand back the rest. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.ingress.onStored = undefined;
    await this.claiming?.catch(() => undefined);
    if (this.inFlight.size === 0) return;
    const grace = new Promise((resolve) => setTimeout(resolve, this.config.shutdownGraceMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight.values()].map((entry) => entry.done)), grace]);
    // Still running after the grace period: abort first, so no handler is left running on a released lease.
    const unfinished = [...this.inFlight.values()];
    for (const { abort } of unfinished) abort.abort(new Error('shutdown: the grace period is over'));
    await Promise.allSettled(unfinished.map((entry) => entry.done));
    for (const { delivery } of unfinished) {
      await this.store.release(delivery.id, delivery.leaseOwner, this.config.clock()).catch(() => undefined);
      this.logger.warn(`Released delivery ${delivery.id} unfinished at shutdown; another instance will take it.`);
    }
  }

  /** One claim; when shutdown began meanwhile, the batch is handed straight back instead of run. */
  private async claim(dueBy: Date): Promise<ClaimedDelivery[]> {
    const batch = await this.store.claimDue({
      owner: `${this.config.instanceId.slice(0, 100)}:${randomUUID().slice(0, 8)}`,
      now: this.config.clock(),
      dueBy,
      leaseMs: this.config.leaseMs,
      limit: this.config.batchSize,
    });
    if (!this.stopping) return batch;
    for (const delivery of batch) await this.store.release(delivery.id, delivery.leaseOwner, this.config.clock()).catch(() => undefined);
    return [];
  }

  private process(delivery: ClaimedDelivery): Promise<DispatchOutcome> {
    const abort = new AbortController();
    const done = this.dispatchWithHeartbeat(delivery, abort).finally(() => this.inFlight.delete(delivery.id));
    this.inFlight.set(delivery.id, { delivery, done, abort });
    return done;
  }

  private async dispatchWithHeartbeat(delivery: ClaimedDelivery, abort: AbortController): Promise<DispatchOutcome> {
    // Long handlers keep their lease alive; once it is lost, their signal aborts and their writes are refused.
    const heartbeat = setInterval(() => {
      const now = this.config.clock();
      void this.store
        .extendLease(delivery.id, delivery.leaseOwner, new Date(now.getTime() + this.config.leaseMs), now)
        .then((held) => held || abort.abort(new Error(`the lease of delivery ${delivery.id} passed to another instance`)))
        .catch(() => undefined);
    }, Math.max(50, Math.floor(this.config.leaseMs / 3)));
    heartbeat.unref();
    try {
      return await this.dispatcher.dispatch(delivery, abort.signal);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private nudge(): void {
    if (this.running) this.rerun = true;
    else this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopping) return;
    this.rerun = false;
    this.running = this.runOnce();
    try {
      await this.running;
      if (this.failedRounds > 0) this.logger.log(`Processing resumed after ${this.failedRounds} failed round(s).`);
      this.failedRounds = 0;
    } catch (error) {
      if (this.failedRounds === 0) this.logger.error(`Processing round failed (retrying with backoff until it works): ${(error as Error)?.message ?? error}`);
      this.failedRounds++;
    } finally {
      this.running = undefined;
      const backoff = Math.min(this.config.pollIntervalMs * 2 ** this.failedRounds, MAX_FAILED_ROUND_DELAY_MS);
      this.schedule(this.failedRounds > 0 ? backoff : this.rerun ? 0 : this.config.pollIntervalMs);
    }
  }
}
