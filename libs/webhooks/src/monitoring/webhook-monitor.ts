import { Injectable } from '@nestjs/common';
import { channel } from 'node:diagnostics_channel';
import { Subject, type Observable } from 'rxjs';
import type { RefusalReason } from '../errors/refusal-reason';
import { LEASE_LOST_CHANNEL, REFUSAL_CHANNEL } from '../webhooks.constants';

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

const refusalChannel = channel(REFUSAL_CHANNEL);
const leaseLostChannel = channel(LEASE_LOST_CHANNEL);

/**
 * What operators watch: refusals and lost leases, as observables, on `node:diagnostics_channel`
 * (for APM and metrics exporters) and as counters.
 */
@Injectable()
export class WebhookMonitor {
  private readonly refusals = new Subject<WebhookRefusal>();
  private readonly leases = new Subject<WebhookLeaseLost>();
  private readonly counts = new Map<RefusalReason, number>();
  private lostLeases = 0;

  /** Every refused delivery, as it happens. */
  readonly refused$: Observable<WebhookRefusal> = this.refusals.asObservable();
  /** Every write refused because the lease had passed to another instance. */
  readonly leaseLost$: Observable<WebhookLeaseLost> = this.leases.asObservable();

  refused(refusal: WebhookRefusal): void {
    this.counts.set(refusal.reason, (this.counts.get(refusal.reason) ?? 0) + 1);
    this.refusals.next(refusal);
    if (refusalChannel.hasSubscribers) refusalChannel.publish(refusal);
  }

  leaseLost(event: WebhookLeaseLost): void {
    this.lostLeases++;
    this.leases.next(event);
    if (leaseLostChannel.hasSubscribers) leaseLostChannel.publish(event);
  }

  /** Counters since start-up, for metrics. */
  metrics(): { refused: Partial<Record<RefusalReason, number>>; leaseLost: number } {
    return { refused: Object.fromEntries(this.counts), leaseLost: this.lostLeases };
  }
}
