/**
 * Delay before retry number `attempt` (1-based): exponential, capped, with "equal jitter" (half
 * fixed, half random) so retries of many deliveries spread out yet never come back too early.
 */
export function retryDelay(attempt: number, backoff: { initialMs: number; maxMs: number }, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
