import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { DeliveryHandoff, HandoffLease } from '../ingress/delivery-handoff';
import { WebhookIngress } from '../ingress/webhook-ingress.service';
import type { ClaimedDelivery, WebhookInboxStore } from '../store/inbox-store.interface';
import { WEBHOOK_INBOX_STORE, WEBHOOKS_CONFIG } from '../webhooks.constants';
import type { WebhooksConfig } from '../webhooks.options';
import type { ProviderEvent } from './payment-event';
import { WebhookDispatcher, type DispatchOutcome } from './webhook.dispatcher';

/** Longest pause between claims while the database keeps failing; a new delivery still starts at once. */
const MAX_FAILED_ROUND_DELAY_MS = 15_000;

/** Deliveries this instance holds in memory (running, waiting, being stored): a few seconds of work at most. */
function handoffLimit(batchSize: number): number {
  return Math.max(200, 20 * batchSize);
}

/** Most deliveries one background claim takes (each waits its turn in memory, its lease renewed if it waited long). */
const CLAIM_LIMIT = 100;

export interface RunSummary {
  claimed: number;
  processed: number;
  retried: number;
  dead: number;
  leaseLost: number;
  /** Stopped by shutdown's grace period or a lost lease, and handed back unrecorded. */
  aborted: number;
}

/** What the worker is doing now (`WebhookWorker.activity`), for health checks. */
export interface WorkerActivity {
  /** Processing in the background: started, and not shutting down. */
  running: boolean;
  /** Deliveries being processed now (by the background or by `runOnce()`). */
  inFlight: number;
  /** Deliveries this instance stored and leased to itself, waiting for a free slot. */
  waiting: number;
  /** When the longest-running delivery in flight started (the module's clock); undefined when none runs. */
  oldestStartedAt?: Date;
  /** Claims that failed in a row (the database is unreachable); 0 once one works. */
  failedClaims: number;
}

interface Running {
  delivery: ClaimedDelivery;
  done: Promise<DispatchOutcome>;
  abort: AbortController;
  startedAt: Date;
}

/**
 * Processes deliveries, in the background or on demand with `runOnce()`. In the background it keeps
 * up to `batchSize` deliveries running and starts the next as soon as one ends, from a queue in memory
 * of deliveries it holds the lease of: those this instance has just stored (leased at insert, with the
 * event as parsed), then, once that runs dry, claimed ones (retries, other instances' leftovers, what
 * was stored while the queue was full), many per claim. Any number of instances can share one database.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, BeforeApplicationShutdown, DeliveryHandoff {
  private readonly logger = new Logger('Webhooks');
  private timer?: NodeJS.Timeout;
  /** Processing in the background (the `worker` option); otherwise only `runOnce()` processes. */
  private background = false;
  private stopping = false;
  private readonly inFlight = new Map<string, Running>();
  /** Leased by this instance (at insert, with the event as parsed, or by a claim), waiting for a free slot. */
  private readonly handedOff: Array<{ delivery: ClaimedDelivery; event?: ProviderEvent }> = [];
  /** Leases given to inserts still in progress. */
  private reserved = 0;
  private reservationsSettled?: () => void;
  /** The claim statement in flight, if any: shutdown waits for it, so no lease is taken behind its back. */
  private claiming?: Promise<ClaimedDelivery[]>;
  /** Whether the table may hold due work this instance has not claimed (cleared by a claim that found less than it asked). */
  private maybeDue = true;
  /** Claims failed in a row (database down): claims back off and log once, not every poll. */
  private failedClaims = 0;
  private backoffUntil = 0;

  constructor(
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    @Inject(WEBHOOK_INBOX_STORE) private readonly store: WebhookInboxStore,
    private readonly dispatcher: WebhookDispatcher,
    private readonly ingress: WebhookIngress,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.worker) return;
    this.background = true;
    this.ingress.handoff = this;
    // After the app is listening: on SQLite a claim waiting for another process's lock blocks the event loop.
    this.timer = setTimeout(() => this.poll(), 0);
    this.timer.unref();
  }

  /** Read-only, for health checks: whether the background worker runs, what it holds, since when. */
  get activity(): WorkerActivity {
    let oldestStartedAt: Date | undefined;
    for (const { startedAt } of this.inFlight.values()) {
      if (!oldestStartedAt || startedAt < oldestStartedAt) oldestStartedAt = startedAt;
    }
    const running = this.background && !this.stopping;
    return { running, inFlight: this.inFlight.size, waiting: this.handedOff.length, oldestStartedAt, failedClaims: this.failedClaims };
  }

  reserve(): HandoffLease | undefined {
    // A burst waits here rather than in the table: no claim, no second write, no re-read. Past the limit
    // new deliveries are stored pending and claimed as slots free up.
    if (this.stopping || this.inFlight.size + this.handedOff.length + this.reserved >= handoffLimit(this.config.batchSize)) return undefined;
    this.reserved++;
    return { owner: this.newOwner(), expiresAt: new Date(this.config.clock().getTime() + this.config.leaseMs) };
  }

  settle(reserved: HandoffLease | undefined, leased: { delivery: ClaimedDelivery; event: ProviderEvent } | undefined, storedNew: boolean): void {
    if (reserved) this.reserved--;
    // During shutdown too: it waits for every reservation, then hands back what is queued.
    if (leased) this.handedOff.push(leased);
    else if (storedNew) this.maybeDue = true;
    // A row was just written: the database is back, whatever the claims' backoff says.
    if (leased || storedNew) this.backoffUntil = 0;
    if (this.reserved === 0) this.reservationsSettled?.();
    this.pump();
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
      const batch = await this.claim(this.config.batchSize, dueBy);
      if (batch.length === 0) break;
      total.claimed += batch.length;
      for (const outcome of await Promise.all(batch.map((delivery) => this.start(delivery).done))) {
        if (outcome === 'processed') total.processed++;
        else if (outcome === 'retry') total.retried++;
        else if (outcome === 'dead') total.dead++;
        else if (outcome === 'lease-lost') total.leaseLost++;
        else total.aborted++;
      }
    }
    return total;
  }

  /** Before the data source closes: stop taking work, let running handlers finish, hand back the rest. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.ingress.handoff = undefined;
    await this.claiming?.catch(() => undefined);
    // Inserts that asked for a lease end soon (storeTimeoutMs); what they lease is handed back in settle().
    if (this.reserved > 0) await new Promise<void>((resolve) => (this.reservationsSettled = resolve));
    for (const { delivery } of this.handedOff.splice(0)) await this.release(delivery);
    if (this.inFlight.size === 0) return;
    const grace = new Promise((resolve) => setTimeout(resolve, this.config.shutdownGraceMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight.values()].map((entry) => entry.done)), grace]);
    // Still running after the grace period: abort first, so no handler is left running on a released lease.
    const unfinished = [...this.inFlight.values()];
    for (const { abort } of unfinished) abort.abort(new Error('shutdown: the grace period is over'));
    await Promise.allSettled(unfinished.map((entry) => entry.done));
    for (const { delivery } of unfinished) {
      await this.release(delivery);
      this.logger.warn(`Released delivery ${delivery.id} unfinished at shutdown; another instance will take it.`);
    }
  }

  /**
   * Starts what fits from memory; once memory runs dry and enough slots are free to make it worth one,
   * claims from the table: enough for several rounds, so a backlog costs one claim per many deliveries.
   */
  private pump(): void {
    if (this.stopping || !this.background) return;
    while (this.inFlight.size < this.config.batchSize && this.handedOff.length > 0) {
      const { delivery, event } = this.handedOff.shift()!;
      this.start(delivery, event);
    }
    const free = this.config.batchSize - this.inFlight.size;
    const worthAClaim = this.handedOff.length === 0 && (free >= Math.ceil(this.config.batchSize / 2) || this.inFlight.size === 0);
    if (this.maybeDue && worthAClaim && !this.claiming && Date.now() >= this.backoffUntil) {
      const room = handoffLimit(this.config.batchSize) - this.inFlight.size - this.reserved;
      void this.claimAndStart(Math.max(free, Math.min(room, CLAIM_LIMIT)));
    }
  }

  private async claimAndStart(limit: number): Promise<void> {
    this.maybeDue = false;
    try {
      const batch = await this.claim(limit, this.config.clock());
      // A full batch: more may be waiting.
      if (batch.length === limit) this.maybeDue = true;
      for (const delivery of batch) this.handedOff.push({ delivery });
      if (this.failedClaims > 0) this.logger.log(`Processing resumed after ${this.failedClaims} failed claim(s).`);
      this.failedClaims = 0;
    } catch (error) {
      if (this.failedClaims === 0) this.logger.error(`Claiming deliveries failed (retrying with backoff until it works): ${(error as Error)?.message ?? error}`);
      this.failedClaims++;
      this.maybeDue = true;
      this.backoffUntil = Date.now() + Math.min(this.config.pollIntervalMs * 2 ** this.failedClaims, MAX_FAILED_ROUND_DELAY_MS);
    }
    this.pump();
  }

  /** The background's clock: what is due by time alone (retries, expired leases, other instances' work) is looked for every poll. */
  private poll(): void {
    if (this.stopping) return;
    this.maybeDue = true;
    this.pump();
    this.timer = setTimeout(() => this.poll(), this.config.pollIntervalMs);
    this.timer.unref();
  }

  /** One claim; when shutdown began meanwhile, the batch is handed straight back instead of run. */
  private claim(limit: number, dueBy: Date): Promise<ClaimedDelivery[]> {
    const claiming = (async () => {
      const batch = await this.store.claimDue({ owner: this.newOwner(), now: this.config.clock(), dueBy, leaseMs: this.config.leaseMs, limit });
      if (!this.stopping) return batch;
      for (const delivery of batch) await this.release(delivery);
      return [];
    })();
    // Shutdown waits for all of it, hand-back included.
    this.claiming = claiming;
    return claiming.finally(() => {
      if (this.claiming === claiming) this.claiming = undefined;
    });
  }

  private start(delivery: ClaimedDelivery, event?: ProviderEvent): Running {
    const startedAt = this.config.clock();
    const abort = new AbortController();
    const done = this.dispatchWithHeartbeat(delivery, abort, event).finally(() => {
      // A lease that expired while waiting in memory may have been claimed again meanwhile: keep the newer run.
      if (this.inFlight.get(delivery.id) === running) this.inFlight.delete(delivery.id);
      this.pump();
    });
    const running: Running = { delivery, done, abort, startedAt };
    this.inFlight.set(delivery.id, running);
    done.catch((error) => this.logger.error(`Processing delivery ${delivery.id} failed: ${(error as Error)?.message ?? error}`));
    return running;
  }

  private async dispatchWithHeartbeat(delivery: ClaimedDelivery, abort: AbortController, event?: ProviderEvent): Promise<DispatchOutcome> {
    const now = this.config.clock();
    if (delivery.leaseExpiresAt.getTime() - now.getTime() < this.config.leaseMs / 2) {
      // Waited long in memory: renew the lease before starting, or leave the delivery to whoever took it.
      const until = new Date(now.getTime() + this.config.leaseMs);
      if (!(await this.store.extendLease(delivery.id, delivery.leaseOwner, until, now))) return 'lease-lost';
      delivery = { ...delivery, leaseExpiresAt: until };
    }
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
      return await this.dispatcher.dispatch(delivery, abort.signal, event);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private release(delivery: ClaimedDelivery): Promise<void> {
    return this.store.release(delivery.id, delivery.leaseOwner, this.config.clock()).catch(() => undefined);
  }

  private newOwner(): string {
    return `${this.config.instanceId.slice(0, 100)}:${randomUUID().slice(0, 8)}`;
  }
}
