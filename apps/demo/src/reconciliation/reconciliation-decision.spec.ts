import { decide, formatDuration } from './reconciliation-decision';

const HOUR = 3_600_000;
const LIMIT = 24 * HOUR;

describe('decide', () => {
  it.each([
    [{ kind: 'paid', said: 'MVola says "completed"' }, { outcome: 'paid', move: 'PAID' }],
    [{ kind: 'failed', said: 'FeexPay says "FAILED"' }, { outcome: 'failed', move: 'FAILED' }],
    [{ kind: 'not-found', said: 'Paystack knows no transaction' }, { outcome: 'expired', move: 'EXPIRED' }],
    [{ kind: 'no-status-api', said: 'stripe has no status API here' }, { outcome: 'expired', move: 'EXPIRED' }],
    [{ kind: 'pending', said: 'MVola says "pending"' }, { outcome: 'pending' }],
    [{ kind: 'unreachable', said: 'Paystack answered HTTP 503' }, { outcome: 'unreachable' }],
  ] as const)('before the hard limit: %p → %p', (answer, expected) => {
    const decision = decide(answer, HOUR, LIMIT);
    expect(decision).toEqual({ ...expected, detail: answer.said });
  });

  it('expires what is still pending, or unanswered, once past RECONCILE_EXPIRE_AFTER', () => {
    expect(decide({ kind: 'pending', said: 'MVola says "pending"' }, LIMIT, LIMIT)).toEqual({
      outcome: 'expired',
      move: 'EXPIRED',
      detail: 'MVola says "pending" after 24h, past RECONCILE_EXPIRE_AFTER (24h)',
    });
    expect(decide({ kind: 'unreachable', said: 'Paystack answered HTTP 503' }, LIMIT + 90_000, LIMIT)).toMatchObject({
      outcome: 'expired',
      move: 'EXPIRED',
      detail: 'Paystack answered HTTP 503; still unanswered after 24h1m30s, past RECONCILE_EXPIRE_AFTER (24h)',
    });
    // A provider's "paid" or "failed" is taken at any age.
    expect(decide({ kind: 'paid', said: 'x' }, 10 * LIMIT, LIMIT).move).toBe('PAID');
  });

  it('formats durations for people', () => {
    expect([formatDuration(500), formatDuration(90_000), formatDuration(30 * 60_000), formatDuration(LIMIT)]).toEqual(['500ms', '1m30s', '30m', '24h']);
  });
});
