import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { PinoLogger } from 'nestjs-pino';
import { WebhookMonitor, type WebhookLifecycleEvent } from 'nestjs-payment-webhooks';
import type { Subscription } from 'rxjs';

/**
 * One JSON line per delivery outcome, for the operator who greps for a payment: processed, duplicate,
 * retry scheduled, dead-lettered or refused at info and above; stored (acknowledged) at debug.
 */
@Injectable()
export class DeliveryLog implements OnModuleDestroy {
  private readonly subscription: Subscription;

  constructor(
    private readonly log: PinoLogger,
    moduleRef: ModuleRef,
  ) {
    this.log.setContext('Deliveries');
    this.subscription = moduleRef.get(WebhookMonitor, { strict: false }).events$.subscribe((event) => this.write(event));
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }

  private write(event: WebhookLifecycleEvent): void {
    switch (event.kind) {
      case 'stored':
      case 'processed':
      case 'retry-scheduled':
      case 'dead-lettered': {
        const line = { endpoint: event.endpoint, type: event.type, deliveryId: event.deliveryId, outcome: event.duplicate ? 'duplicate' : event.kind, attempt: event.attempt, durationMs: round(event.durationMs), error: event.error };
        if (event.kind === 'dead-lettered') this.log.error(line, `delivery ${line.outcome}`);
        else if (event.kind === 'retry-scheduled') this.log.warn(line, `delivery ${line.outcome}`);
        // Stored is a step, not an outcome: at info, a delivery is one line when it is processed.
        else if (line.outcome === 'stored') this.log.debug(line, `delivery ${line.outcome}`);
        else this.log.info(line, `delivery ${line.outcome}`);
        break;
      }
      case 'refused':
        // The path is already masked by the library; the body and headers are never in an event.
        this.log.warn({ endpoint: event.endpoint, outcome: 'refused', reason: event.reason, status: event.status, path: event.path, ip: event.ip }, 'delivery refused');
        break;
    }
  }
}

function round(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 10) / 10;
}
