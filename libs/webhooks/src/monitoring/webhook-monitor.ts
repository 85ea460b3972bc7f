import { Injectable } from '@nestjs/common';
import { channel, type Channel } from 'node:diagnostics_channel';
import { Subject, type Observable } from 'rxjs';
import type { RefusalReason } from '../errors/refusal-reason';
import { WEBHOOK_CHANNELS } from '../webhooks.constants';

/** One refused delivery: why, where, from whom. Never the body, a signature or a secret. */
export interface WebhookRefusal {
  reason: RefusalReason;
  status: number;
  endpoint?: string;
  path: string;
  ip: string;
  at: Date;
}

/** A fenced write refused because another instance took the delivery over. */
export interface WebhookLeaseLost {
  deliveryId: string;
  owner: string;
  at: Date;
}

/** A verified delivery the inbox could not store: answered 503 with Retry-After, so the provider sends it again. */
export interface WebhookStoreFailure {
  endpoint: string;
  eventId: string;
  type: string;
  /** The store's error message (the database driver's, or why the write was not attempted). */
  error: string;
  at: Date;
}

/** What happened to one stored delivery: stored, processed, retried later, or dead. */
export interface WebhookDeliveryOutcome {
  deliveryId: string;
  endpoint: string;
  type: string;
  /** Processing attempts so far (0 when just stored). */
  attempt: number;
  at: Date;
  /** Stored: whether it was a copy of a delivery already stored. */
  duplicate?: boolean;
  /** Retry scheduled: when. */
  retryAt?: Date;
  /** Retry scheduled or dead-lettered: why. */
  error?: string;
  /** Stored: from receipt to the row committed (the acknowledgement's cost). Otherwise: this attempt, from its start to its outcome. */
  durationMs?: number;
}

/** One handler's run on one delivery: what metrics per handler are made of. */
export interface WebhookHandlerRun {
  deliveryId: string;
  endpoint: string;
  type: string;
  /** The handler's stable name (`name` option, or ClassName.method). */
  handler: string;
  attempt: number;
  /** Failed includes a run past `handlerTimeoutMs`; a run stopped by shutdown or a lost lease is not published. */
  outcome: 'succeeded' | 'failed';
  durationMs: number;
  error?: string;
  at: Date;
}

/** Every lifecycle event, as one typed union (`events$`), each also on its `WEBHOOK_CHANNELS` channel. */
export type WebhookLifecycleEvent =
  | ({ kind: 'refused' } & WebhookRefusal)
  | ({ kind: 'store-failed' } & WebhookStoreFailure)
  | ({ kind: 'stored' | 'processed' | 'retry-scheduled' | 'dead-lettered' } & WebhookDeliveryOutcome)
  | ({ kind: 'lease-lost' } & WebhookLeaseLost)
  | ({ kind: 'handler-finished' } & WebhookHandlerRun);

const channels = Object.fromEntries(Object.entries(WEBHOOK_CHANNELS).map(([kind, name]) => [kind, channel(name)])) as Record<WebhookLifecycleEvent['kind'], Channel>;

/**
 * What operators watch: refusals and lost leases, as observables, on `node:diagnostics_channel`
 * (for APM and metrics exporters) and as counters.
 */
@Injectable()
export class WebhookMonitor {
  private readonly refusals = new Subject<WebhookRefusal>();
  private readonly leases = new Subject<WebhookLeaseLost>();
  private readonly lifecycle = new Subject<WebhookLifecycleEvent>();
  private readonly counts = new Map<RefusalReason, number>();
  private lostLeases = 0;

  /** Every refused delivery, as it happens. */
  readonly refused$: Observable<WebhookRefusal> = this.refusals.asObservable();
  /** Every write refused because the lease had passed to another instance. */
  readonly leaseLost$: Observable<WebhookLeaseLost> = this.leases.asObservable();
  /** Everything above and every stored, unstored (503), processed, retried and dead-lettered delivery. */
  readonly events$: Observable<WebhookLifecycleEvent> = this.lifecycle.asObservable();

  refused(refusal: WebhookRefusal): void {
    this.counts.set(refusal.reason, (this.counts.get(refusal.reason) ?? 0) + 1);
    this.refusals.next(refusal);
    this.emit({ kind: 'refused', ...refusal }, refusal);
  }

  storeFailed(failure: WebhookStoreFailure): void {
    this.emit({ kind: 'store-failed', ...failure }, failure);
  }

  leaseLost(event: WebhookLeaseLost): void {
    this.lostLeases++;
    this.leases.next(event);
    this.emit({ kind: 'lease-lost', ...event }, event);
  }

  handlerFinished(run: WebhookHandlerRun): void {
    this.emit({ kind: 'handler-finished', ...run }, run);
  }

  delivery(kind: 'stored' | 'processed' | 'retry-scheduled' | 'dead-lettered', outcome: WebhookDeliveryOutcome): void {
    this.emit({ kind, ...outcome }, outcome);
  }

  // The channel carries the event without `kind` (the channel name says it), as it always has for refusals.
  private emit(event: WebhookLifecycleEvent, message: object): void {
    if (this.lifecycle.observed) this.lifecycle.next(event);
    const target = channels[event.kind];
    if (target.hasSubscribers) target.publish(message);
  }

  /** Counters since start-up, for metrics. */
  metrics(): { refused: Partial<Record<RefusalReason, number>>; leaseLost: number } {
    return { refused: Object.fromEntries(this.counts), leaseLost: this.lostLeases };
  }
}
