import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { WebhookDeliveries, type PaymentEvent } from 'nestjs-payment-webhooks';
import type { Repository } from 'typeorm';
import { rowLock } from '../database/row-lock';
import { DEMO_CLOCK, DEMO_CONFIG, type DemoConfig, type DemoReconciliationConfig } from '../demo.config';
import { RegistrationEntity } from '../registrations/registration.entity';
import { RegistrationSettlement } from '../registrations/registration-settlement';
import { PaymentStatusSources } from './payment-status-sources';
import type { ProviderAnswer } from './provider-answer';
import { decide, formatDuration, type ReconciliationDecision } from './reconciliation-decision';
import type { ReconciliationOutcome } from './reconciliation-outcome';
import type { ReconciliationRound } from './reconciliation-round';

// A claim outlives any provider call (10 s timeout): a replica that dies mid-check lets another take over then.
const CLAIM_LEASE_MS = 2 * 60_000;
// Provider calls in flight per round; the database writes take turns anyway.
const CONCURRENCY = 4;
// Without rounds of its own (RECONCILE_INTERVAL=off, `runOnce()` only), a registration left PENDING is asked about again after this.
const DEFAULT_RECHECK_MS = 60_000;

/**
 * Settles PENDING registrations that no webhook settled: after RECONCILE_AFTER each is asked of its
 * provider's status API, or expired when there is none, every RECONCILE_INTERVAL, at most
 * RECONCILE_BATCH a round. Replicas share the work: a registration is claimed by a conditional
 * UPDATE before its provider is asked, and decided under its row lock only while still PENDING, so
 * it is decided once, and a webhook that settled it meanwhile wins.
 */
@Injectable()
export class RegistrationReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Reconciliation');
  private readonly options: DemoReconciliationConfig;
  private readonly shutdown = new AbortController();
  private timer?: NodeJS.Timeout;
  private round?: Promise<ReconciliationRound>;

  constructor(
    @Inject(DEMO_CONFIG) config: DemoConfig,
    @Inject(DEMO_CLOCK) private readonly clock: () => Date,
    @InjectRepository(RegistrationEntity) private readonly registrations: Repository<RegistrationEntity>,
    private readonly deliveries: WebhookDeliveries,
    private readonly sources: PaymentStatusSources,
    private readonly settlement: RegistrationSettlement,
  ) {
    this.options = config.reconciliation;
  }

  onApplicationBootstrap(): void {
    const { intervalMs, afterMs, expireAfterMs, batchSize } = this.options;
    if (intervalMs === undefined) {
      this.logger.log('Reconciliation is off (RECONCILE_INTERVAL=off): PENDING registrations wait for their webhook.');
      return;
    }
    this.logger.log(
      `Every ${formatDuration(intervalMs)}, up to ${batchSize} registrations PENDING for ${formatDuration(afterMs)} are checked with their provider; ` +
        `still pending after ${formatDuration(expireAfterMs)}, they expire.`,
    );
    this.schedule(intervalMs);
  }

  /** No new round; the one running finishes (provider calls are abandoned) before the database closes. */
  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.shutdown.abort();
    await this.round?.catch(() => undefined);
  }

  /** One round now (what the timer runs; tests call it). Waits for a round in progress first: rounds never overlap. */
  async runOnce(): Promise<ReconciliationRound> {
    while (this.round) await this.round.catch(() => undefined);
    const round = this.reconcile().finally(() => {
      if (this.round === round) this.round = undefined;
    });
    this.round = round;
    return round;
  }

  // The next round is scheduled when one ends, so a slow round delays the next instead of overlapping it.
  private schedule(intervalMs: number): void {
    if (this.shutdown.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((error: unknown) => this.logger.error(`Reconciliation round failed, retried in ${formatDuration(intervalMs)}: ${messageOf(error)}`))
        .finally(() => this.schedule(intervalMs));
    }, intervalMs);
    // A pending round never keeps the process alive on its own.
    this.timer.unref();
  }

  private async reconcile(): Promise<ReconciliationRound> {
    const startedAt = this.clock().getTime();
    const due = await this.registrations
      .createQueryBuilder('registration')
      .where('registration.status = :pending', { pending: 'PENDING' })
      .andWhere('registration.created_at <= :cutoff', { cutoff: startedAt - this.options.afterMs })
      .andWhere('(registration.reconcile_next_at IS NULL OR registration.reconcile_next_at <= :now)', { now: startedAt })
      .orderBy('registration.created_at', 'ASC')
      .limit(this.options.batchSize)
      .getMany();
    const round: ReconciliationRound = { due: due.length, checked: 0, outcomes: {}, settledMeanwhile: 0 };
    const queue = [...due];
    const worker = async () => {
      for (let next = queue.shift(); next && !this.shutdown.signal.aborted; next = queue.shift()) {
        const result = await this.reconcileOne(next, startedAt);
        if (result === 'not-claimed') continue;
        round.checked += 1;
        if (result === 'settled-meanwhile') round.settledMeanwhile += 1;
        else round.outcomes[result] = (round.outcomes[result] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, worker));
    return round;
  }

  private async reconcileOne(registration: RegistrationEntity, startedAt: number): Promise<ReconciliationOutcome | 'not-claimed' | 'settled-meanwhile'> {
    if (!(await this.claim(registration.id, startedAt))) return 'not-claimed';
    const answer = await this.ask(registration);
    // Shutting down: the answer may be an abandoned call, not the provider's; the claim lapses and another round asks again.
    if (this.shutdown.signal.aborted) return 'not-claimed';
    const checkedAt = this.clock();
    const decision = decide(answer, checkedAt.getTime() - registration.createdAt.getTime(), this.options.expireAfterMs);
    const applied = await this.deliveries.transaction(async (manager) => {
      const current = await manager.findOne(RegistrationEntity, { where: { id: registration.id }, lock: rowLock(manager) });
      if (!current || current.status !== 'PENDING') return { settled: current?.status ?? 'gone' };
      let outcome: ReconciliationOutcome = decision.outcome;
      if (decision.move === 'PAID') {
        if ((await this.settlement.complete(manager, current, paymentOf(current, answer))) === 'payment-issue') outcome = 'payment-issue';
      } else if (decision.move) {
        await this.settlement.release(manager, current, 'PENDING', decision.move, 'reconciliation');
      }
      const nextAt = this.nextCheckAt(outcome, startedAt);
      await manager.update(
        RegistrationEntity,
        { id: current.id },
        {
          reconcileCheckedAt: checkedAt,
          reconcileOutcome: outcome,
          reconcileDetail: decision.detail.slice(0, 500),
          reconcileChecks: () => 'reconcile_checks + 1',
          reconcileNextAt: nextAt,
        },
      );
      return { outcome, nextAt };
    });
    const who = `Registration ${registration.id} (${registration.provider}, ${registration.reference})`;
    if ('settled' in applied) {
      this.logger.log(`${who}: ${decision.detail}; already ${applied.settled} (settled by a webhook meanwhile), nothing to decide.`);
      return 'settled-meanwhile';
    }
    this.log(who, decision, applied.outcome, applied.nextAt);
    return applied.outcome;
  }

  /** This replica's turn to ask about it: a conditional UPDATE, so of several replicas exactly one asks. */
  private async claim(id: string, now: number): Promise<boolean> {
    const result = await this.deliveries.transaction((manager) =>
      manager
        .createQueryBuilder()
        .update(RegistrationEntity)
        .set({ reconcileNextAt: new Date(now + CLAIM_LEASE_MS) })
        .where('id = :id AND status = :pending AND (reconcile_next_at IS NULL OR reconcile_next_at <= :now)', { id, pending: 'PENDING', now })
        .execute(),
    );
    return result.affected === 1;
  }

  private async ask(registration: RegistrationEntity): Promise<ProviderAnswer> {
    const source = this.sources.for(registration.provider);
    if (!source) return { kind: 'no-status-api', said: `${registration.provider} has no status API here` };
    try {
      return await source.statusOf(registration, this.shutdown.signal);
    } catch (error) {
      return { kind: 'unreachable', said: `${registration.provider} status check failed: ${messageOf(error)}` };
    }
  }

  /** Decided: never again. Still PENDING: next round. A payment issue waits for a person, so much later. */
  private nextCheckAt(outcome: ReconciliationOutcome, startedAt: number): Date | null {
    if (outcome === 'paid' || outcome === 'failed' || outcome === 'expired') return null;
    if (outcome === 'payment-issue') return new Date(startedAt + this.options.expireAfterMs);
    return new Date(startedAt + (this.options.intervalMs ?? DEFAULT_RECHECK_MS));
  }

  /** One line per decision: who, what the provider said, what was decided. */
  private log(who: string, decision: ReconciliationDecision, outcome: ReconciliationOutcome, nextAt: Date | null): void {
    const next = nextAt ? `, next check after ${nextAt.toISOString()}` : '';
    switch (outcome) {
      case 'paid':
        return this.logger.log(`${who}: ${decision.detail} → PAID.`);
      case 'failed':
        return this.logger.log(`${who}: ${decision.detail} → FAILED, seat released.`);
      case 'expired':
        return this.logger.log(`${who}: ${decision.detail} → EXPIRED, seat released.`);
      case 'pending':
        return this.logger.log(`${who}: ${decision.detail} → stays PENDING${next}.`);
      case 'unreachable':
        return this.logger.warn(`${who}: ${decision.detail} → stays PENDING (provider not answering)${next}.`);
      case 'payment-issue':
        return this.logger.warn(`${who}: ${decision.detail} but not as expected → stays PENDING with a paymentIssue for a person to refund${next}.`);
    }
  }
}

/** The provider's "paid", as the webhook handler would have received it: checked the same way. */
function paymentOf(registration: RegistrationEntity, answer: ProviderAnswer): PaymentEvent {
  const paid = answer.kind === 'paid' ? answer : undefined;
  return {
    type: 'payment.completed',
    provider: registration.provider,
    reference: registration.reference,
    transactionId: paid?.transactionId,
    amountMinor: paid?.amountMinor,
    currency: paid?.currency,
    metadata: { reconciled: true },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
