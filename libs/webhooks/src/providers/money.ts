import { WebhookPayloadError } from '../errors/webhook-payload.error';

/** Currency spellings seen on the wire → ISO 4217 (or asset) codes. */
const CURRENCY_ALIASES: Record<string, string> = { FCFA: 'XOF', CFA: 'XOF', AR: 'MGA', ARIARY: 'MGA' };

/** Upper-cased ISO 4217 / asset code, with local spellings mapped ('FCFA' → 'XOF', 'Ar' → 'MGA'). */
export function normalizeCurrency(currency: unknown): string | undefined {
  if (typeof currency !== 'string' || currency.trim() === '') return undefined;
  const upper = currency.trim().toUpperCase();
  return CURRENCY_ALIASES[upper] ?? upper;
}

/**
 * Exact conversion of a decimal amount (number or string, e.g. 10.5 or "10.500001") to integer minor
 * units with `decimals` digits, without floating-point arithmetic. More digits than `decimals` is an
 * error, not a rounding.
 */
export function decimalToMinor(amount: unknown, decimals: number): number {
  const text = typeof amount === 'number' ? numberToPlainString(amount) : typeof amount === 'string' ? amount.trim() : '';
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new WebhookPayloadError(`amount must be a decimal number, got ${JSON.stringify(amount)}`);
  const [, sign, whole, fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > decimals) {
    throw new WebhookPayloadError(`amount ${text} has more than ${decimals} decimal places`);
  }
  const minor = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(trimmed.padEnd(decimals, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new WebhookPayloadError(`amount ${text} is too large`);
  return Number(sign ? -minor : minor);
}

/** An integer amount already in minor units, possibly sent as a string ("50000"). */
export function integerMinor(amount: unknown): number {
  return decimalToMinor(amount, 0);
}

// JSON numbers parse to doubles; their shortest round-trip text ("10.1") is the decimal the sender wrote.
function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) return 'NaN';
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}
