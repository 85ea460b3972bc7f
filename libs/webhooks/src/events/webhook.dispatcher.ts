import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConfirmationUnavailableError } from '../errors/confirmation-unavailable.error';
import { NonRetryableWebhookError } from '../errors/non-retryable-webhook.error';
import type { WebhookProvider } from '../providers/webhook-provider.interface';
import type { ClaimedDelivery, WebhookInboxStore } from '../store/inbox-store.interface';
import { LeaseLostError } from '../store/lease-lost.error';
import { WebhookMonitor, type WebhookDeliveryOutcome } from '../monitoring/webhook-monitor';
import { WEBHOOK_INBOX_STORE, WEBHOOKS_CONFIG } from '../webhooks.constants';
import type { WebhooksConfig } from '../webhooks.options';
import { retryDelay } from './backoff';
import { HandlerBatcher } from './handler-batcher';
import { HandlerSlots } from './handler-slots';
import { paymentProblem } from './event-limits';
import type { ProviderEvent } from './payment-event';
import { parseStoredDelivery } from './stored-event';
import { WebhookHandlerRegistry, type RegisteredHandler } from './webhook-handler.registry';

export type DispatchOutcome = 'processed' | 'retry' | 'dead' | 'lease-lost' | 'aborted';

/** The lifecycle fields of this attempt's outcome at a time, its duration included. */
type OutcomeAt = (at: Date) => WebhookDeliveryOutcome;

/** The delivery's signal fired (shutdown, lost lease): nothing more is written, the worker hands it back. */
class DeliveryAborted extends Error {}

/** A batch of several failed as a whole: nothing of it was recorded, each of its turns runs again alone. */
class BatchFailed extends Error {}

/** One delivery's turn at one handler. */
interface HandlerTurn {
  delivery: ClaimedDelivery;
  event: ProviderEvent;
  /** The delivery's own signal: its lease was lost, or shutdown's grace ended. */
  signal: AbortSignal;
  /** Every other handler succeeded: a success also completes the delivery. */
  completes: boolean;
}

interface TurnResult {
  error?: Error;
  /** The handler's record also completed the delivery. */
  completed: boolean;
}

/**
 * Processes one claimed delivery: rebuilds the event from the stored bytes, confirms it with the
 * provider when the strategy asks to, runs every handler that has not succeeded yet and records
 * each outcome, then completes, reschedules or buries the delivery. Every write is fenced.
 */
@Injectable()
export class WebhookDispatcher {
  private readonly logger = new Logger('Webhooks');
  private readonly providers: Map<string, WebhookProvider>;
  private readonly batchers = new Map<string, HandlerBatcher<HandlerTurn, TurnResult>>();
  private readonly slots: HandlerSlots;

  constructor(
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    @Inject(WEBHOOK_INBOX_STORE) private readonly store: WebhookInboxStore,
    private readonly registry: WebhookHandlerRegistry,
    private readonly monitor: WebhookMonitor,
  ) {
    this.providers = new Map(config.endpoints.map((provider) => [provider.name, provider]));
    this.slots = new HandlerSlots(config.handlerConcurrency);
  }

  /** `signal` aborts when the delivery must stop (lease lost, shutdown's grace over): every handler sees it. */
  async dispatch(delivery: ClaimedDelivery, signal: AbortSignal = new AbortController().signal, parsed?: ProviderEvent): Promise<DispatchOutcome> {
    const owner = delivery.leaseOwner;
    const started = this.config.clock().getTime();
    const outcomeOf = (at: Date) => ({ ...this.outcomeOf(delivery), at, durationMs: at.getTime() - started });
    try {
      const event = await this.eventOf(delivery, parsed);
      const problem = event.payment && paymentProblem(event.payment);
      // Re-parsing gives the same answer every time: no retry, the operator sees the reason.
      if (problem) return await this.bury(delivery, `not dispatched as a payment: ${problem}`, outcomeOf);
      const done = new Set(delivery.handlers.filter((run) => run.status === 'succeeded').map((run) => run.handler));
      const outstanding = this.registry.matching(event).filter((handler) => !done.has(handler.key));
      const failures: string[] = [];
      let retryable = true;
      let completed = false;
      for (const [index, handler] of outstanding.entries()) {
        // The last handler after all others succeeded completes the delivery with its own record.
        const completes = index === outstanding.length - 1 && failures.length === 0;
        const result = await this.run(handler, event, delivery, signal, completes);
        completed = result.completed;
        if (result.error !== undefined) failures.push(`${handler.key}: ${result.error.message}`);
        if (result.error instanceof NonRetryableWebhookError) retryable = false;
      }
      if (!retryable) return await this.bury(delivery, `not retryable: ${failures.join('; ')}`, outcomeOf);
      if (failures.length === 0) {
        const at = this.config.clock();
        if (!completed) await this.store.complete(delivery.id, owner, at);
        this.monitor.delivery('processed', outcomeOf(at));
        return 'processed';
      }
      return await this.retryOrBury(delivery, failures.join('; '), outcomeOf);
    } catch (error) {
      if (error instanceof LeaseLostError) return this.leaseLost(error);
      if (error instanceof DeliveryAborted) return 'aborted';
      const reason = error instanceof ConfirmationUnavailableError ? `confirmation unavailable: ${error.message}` : describe(error);
      try {
        return await this.retryOrBury(delivery, reason, outcomeOf);
      } catch (writeError) {
        if (writeError instanceof LeaseLostError) return this.leaseLost(writeError);
        throw writeError;
      }
    }
  }

  private leaseLost(error: LeaseLostError): DispatchOutcome {
    this.logger.warn(error.message);
    this.monitor.leaseLost({ deliveryId: error.deliveryId, owner: error.owner, at: this.config.clock() });
    return 'lease-lost';
  }

  /**
   * The event: as the ingress parsed it (a delivery handed over from memory), or parsed again from the
   * stored bytes (the strategy is pure); then confirmed with the provider if the strategy asks to.
   */
  private async eventOf(delivery: ClaimedDelivery, parsed?: ProviderEvent): Promise<ProviderEvent> {
    const provider = this.providers.get(delivery.provider);
    if (!provider) throw new Error(`Endpoint "${delivery.provider}" is no longer configured; configure it again, then replay.`);
    const event = parsed ?? parseStoredDelivery(provider, delivery);
    return provider.confirm ? provider.confirm(event) : event;
  }

  /**
   * Runs one handler for one delivery and records its outcome; returns its error, if any. With
   * `completes` (every other handler succeeded) a success also marks the delivery processed in the
   * same write when the store can. A batch handler's turn joins the handler's next batch.
   */
  private run(handler: RegisteredHandler, event: ProviderEvent, delivery: ClaimedDelivery, signal: AbortSignal, completes: boolean): Promise<TurnResult> {
    const turn: HandlerTurn = { delivery, event, signal, completes };
    const alone = (single: HandlerTurn) => this.runTurns(handler, [single]).then(([result]) => result);
    if (handler.maxBatchSize === undefined) return alone(turn);
    let batcher = this.batchers.get(handler.key);
    if (!batcher) {
      batcher = new HandlerBatcher(handler.maxBatchSize, handler.maxBatchWaitMs, (turns) => this.runTurns(handler, turns), alone);
      this.batchers.set(handler.key, batcher);
    }
    return batcher.add(turn);
  }

  /**
   * One call of the handler for these turns (one, or a batch), its success recorded for each. A
   * batch of several that fails records nothing and throws `BatchFailed`: each turn then runs alone.
   * The call waits for a free handler slot first; its timeout runs from when it starts.
   */
  private async runTurns(handler: RegisteredHandler, turns: readonly HandlerTurn[]): Promise<TurnResult[]> {
    const release = await this.slots.acquire();
    try {
      return await this.callAndRecord(handler, turns);
    } finally {
      release();
    }
  }

  private async callAndRecord(handler: RegisteredHandler, turns: readonly HandlerTurn[]): Promise<TurnResult[]> {
    const alone = turns.length === 1;
    let committed = false;
    const completing = turns.map((turn) => turn.completes && this.store.completeWithHandler !== undefined);
    const record = (turn: HandlerTurn, index: number, manager?: EntityManager) =>
      completing[index]
        ? this.store.completeWithHandler!(turn.delivery.id, turn.delivery.leaseOwner, handler.key, this.config.clock(), manager)
        : this.store.recordHandler(turn.delivery.id, turn.delivery.leaseOwner, { handler: handler.key, status: 'succeeded' }, this.config.clock(), manager);
    const recordSuccess = async (manager?: EntityManager): Promise<void> => {
      if (alone) return record(turns[0], 0, manager);
      // A batch's records commit together, in its transaction or in one of their own; those that
      // complete their delivery in one statement when the store can.
      const recordAll = async (inside: EntityManager) => {
        const completeMany = this.store.completeManyWithHandler?.bind(this.store);
        const many = completeMany ? turns.filter((_, index) => completing[index]) : [];
        if (many.length > 0) {
          const deliveries = many.map(({ delivery }) => ({ id: delivery.id, owner: delivery.leaseOwner }));
          await completeMany!(deliveries, handler.key, this.config.clock(), inside);
        }
        for (const [index, turn] of turns.entries()) if (!many.includes(turn)) await record(turn, index, inside);
      };
      await (manager ? recordAll(manager) : this.store.transaction(recordAll));
    };
    const timeoutMs = this.config.handlerTimeoutMs;
    const deliveriesSignal = alone ? turns[0].signal : AbortSignal.any(turns.map((turn) => turn.signal));
    const signal = timeoutMs === undefined ? deliveriesSignal : AbortSignal.any([deliveriesSignal, AbortSignal.timeout(timeoutMs)]);
    const transaction = async <T>(work: (manager: EntityManager) => Promise<T>): Promise<T> => {
      if (committed) throw new Error(`${handler.key} called ctx.transaction twice; put all its writes in one transaction.`);
      // A handler that outlived its signal must not commit: its run was already counted as failed.
      signal.throwIfAborted();
      const result = await this.store.transaction(async (manager) => {
        const value = await work(manager);
        await recordSuccess(manager);
        return value;
      });
      committed = true;
      return result;
    };
    const started = performance.now();
    const finished = (outcome: 'succeeded' | 'failed', error?: string) => {
      const at = this.config.clock();
      for (const { delivery } of turns) {
        this.monitor.handlerFinished({
          deliveryId: delivery.id,
          endpoint: delivery.provider,
          type: delivery.type,
          handler: handler.key,
          attempt: delivery.attempts,
          outcome,
          durationMs: performance.now() - started,
          error,
          at,
        });
      }
    };
    const succeeded = () => completing.map((completed) => ({ completed }));
    try {
      const invocation =
        handler.maxBatchSize === undefined
          ? handler.invoke(turns[0].event, { deliveryId: turns[0].delivery.id, attempt: turns[0].delivery.attempts, event: turns[0].event, signal, transaction })
          : handler.invokeBatch(
              turns.map((turn) => turn.event),
              { items: turns.map(({ delivery, event }) => ({ deliveryId: delivery.id, attempt: delivery.attempts, event })), signal, transaction },
            );
      await untilAborted(invocation, signal, () => (deliveriesSignal.aborted ? describe(deliveriesSignal.reason) : `${handler.key} timed out after ${timeoutMs} ms`));
      if (!committed) await recordSuccess();
      finished('succeeded');
      return succeeded();
    } catch (error) {
      if (!alone && !committed) {
        this.logger.warn(`${handler.key} failed on a batch of ${turns.length} deliveries (${describe(error)}); each runs again alone.`);
        throw new BatchFailed();
      }
      if (error instanceof LeaseLostError) throw error;
      const delivery = turns[0].delivery;
      // Stopped from outside, not failed: no outcome is recorded and the attempt is not held against it.
      if (deliveriesSignal.aborted && !committed) throw new DeliveryAborted(describe(deliveriesSignal.reason));
      if (committed) {
        // Its writes are committed with its "done" record: running it again would apply them twice. (A
        // delivery completed in that transaction has no lease left to renew: its signal aborts, harmlessly.)
        if (!(completing.some(Boolean) && deliveriesSignal.aborted)) this.logger.error(`${handler.key} threw after its transaction committed; it is not retried: ${describe(error)}`);
        finished('succeeded');
        return succeeded();
      }
      const message = describe(error);
      this.logger.warn(`${handler.key} failed on delivery ${delivery.id} (attempt ${delivery.attempts}): ${message}`);
      await this.store.recordHandler(delivery.id, delivery.leaseOwner, { handler: handler.key, status: 'failed', error: message }, this.config.clock());
      finished('failed', message);
      return [{ error: error instanceof Error ? error : new Error(message), completed: false }];
    }
  }

  private async bury(delivery: ClaimedDelivery, error: string, outcomeOf: OutcomeAt): Promise<DispatchOutcome> {
    this.logger.error(`Delivery ${delivery.id} (${delivery.provider} ${delivery.type}) is dead after ${delivery.attempts} attempt(s): ${error}`);
    const at = this.config.clock();
    await this.store.fail(delivery.id, delivery.leaseOwner, { dead: true, error }, at);
    this.monitor.delivery('dead-lettered', { ...outcomeOf(at), error });
    return 'dead';
  }

  private outcomeOf(delivery: ClaimedDelivery): { deliveryId: string; endpoint: string; type: string; attempt: number } {
    return { deliveryId: delivery.id, endpoint: delivery.provider, type: delivery.type, attempt: delivery.attempts };
  }

  private async retryOrBury(delivery: ClaimedDelivery, error: string, outcomeOf: OutcomeAt): Promise<DispatchOutcome> {
    const now = this.config.clock();
    if (delivery.attempts >= this.config.maxAttempts) return this.bury(delivery, error, outcomeOf);
    const retryAt = new Date(now.getTime() + retryDelay(delivery.attempts, this.config.backoff));
    await this.store.fail(delivery.id, delivery.leaseOwner, { retryAt, error }, now);
    this.monitor.delivery('retry-scheduled', { ...outcomeOf(now), retryAt, error });
    return 'retry';
  }
}

/** The handler's promise, or a rejection as soon as `signal` aborts (the handler may go on, but is not waited for). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, reason: () => string): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error(reason()));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(reason()));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
