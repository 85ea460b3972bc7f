import type { ProviderAnswer } from './provider-answer';
import type { ReconciliationOutcome } from './reconciliation-outcome';

/** What to do with a PENDING registration, given the provider's answer and the registration's age. */
export interface ReconciliationDecision {
  outcome: Exclude<ReconciliationOutcome, 'payment-issue'>;
  /** The status to move to; none: it stays PENDING and is asked about again later. */
  move?: 'PAID' | 'FAILED' | 'EXPIRED';
  /** One line for the log and the API: what the provider said, and why that decides it. */
  detail: string;
}

/**
 * The rules, in one place. A provider that says "still pending", or cannot be asked, never expires a
 * registration before `expireAfterMs`: a payment may still be on its way, and a provider's outage
 * must not give paid seats away. Past it the seat goes back; a payment completed after all still
 * takes a seat again when its webhook comes (or is logged "paid without a seat: refund").
 */
export function decide(answer: ProviderAnswer, ageMs: number, expireAfterMs: number): ReconciliationDecision {
  const pastLimit = ageMs >= expireAfterMs;
  const limit = `after ${formatDuration(ageMs)}, past RECONCILE_EXPIRE_AFTER (${formatDuration(expireAfterMs)})`;
  switch (answer.kind) {
    case 'paid':
      return { outcome: 'paid', move: 'PAID', detail: answer.said };
    case 'failed':
      return { outcome: 'failed', move: 'FAILED', detail: answer.said };
    case 'not-found':
    case 'no-status-api':
      return { outcome: 'expired', move: 'EXPIRED', detail: answer.said };
    case 'pending':
      return pastLimit ? { outcome: 'expired', move: 'EXPIRED', detail: `${answer.said} ${limit}` } : { outcome: 'pending', detail: answer.said };
    case 'unreachable':
      return pastLimit
        ? { outcome: 'expired', move: 'EXPIRED', detail: `${answer.said}; still unanswered ${limit}` }
        : { outcome: 'unreachable', detail: answer.said };
  }
}

/** 90 000 → "1m30s"; 86 400 000 → "24h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  let seconds = Math.floor(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['h', 3600], ['m', 60], ['s', 1]] as const) {
    const count = Math.floor(seconds / size);
    seconds -= count * size;
    if (count > 0) parts.push(`${count}${unit}`);
  }
  return parts.join('');
}
