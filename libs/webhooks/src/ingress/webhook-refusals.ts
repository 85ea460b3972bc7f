import { Injectable } from '@nestjs/common';
import { channel } from 'node:diagnostics_channel';
import { Subject, type Observable } from 'rxjs';
import type { RefusalReason } from '../errors/refusal-reason';
import { REFUSAL_CHANNEL } from '../webhooks.constants';

/** One refused delivery: why, where, from whom. Never the body, a signature or a secret. */
export interface WebhookRefusal {
  reason: RefusalReason;
  status: number;
  endpoint?: string;
  path: string;
  ip: string;
  at: Date;
}

const refusalChannel = channel(REFUSAL_CHANNEL);

/** Publishes every refusal (observable, `node:diagnostics_channel`) and counts them per reason. */
@Injectable()
export class WebhookRefusals {
  private readonly subject = new Subject<WebhookRefusal>();
  private readonly counts = new Map<RefusalReason, number>();

  /** Every refusal, as it happens. */
  readonly refused$: Observable<WebhookRefusal> = this.subject.asObservable();

  publish(refusal: WebhookRefusal): void {
    this.counts.set(refusal.reason, (this.counts.get(refusal.reason) ?? 0) + 1);
    this.subject.next(refusal);
    if (refusalChannel.hasSubscribers) refusalChannel.publish(refusal);
  }

  /** Refusals counted since start-up, per reason (for metrics). */
  count(): Partial<Record<RefusalReason, number>> {
    return Object.fromEntries(this.counts);
  }
}
