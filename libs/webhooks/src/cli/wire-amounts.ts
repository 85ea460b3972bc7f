import { decimalToMinor } from '../providers/money';
import { PAYQI_DEFAULT_DECIMALS } from '../providers/payqi/payqi.provider';
import { CliUsageError } from './usage.error';

// Each function writes an amount in minor units (what `PaymentEvent.amountMinor` holds) the way one
// provider puts it on the wire, so that the library's parser reads back exactly the same number.

/** Stripe: integer minor units (cents; whole units for zero-decimal currencies) and a lower-case code. */
export function stripeCurrency(currency: string): string {
  return currency.toLowerCase();
}

/** FeexPay: zero-decimal FCFA, already whole units; the West-African CFA franc is spelled "FCFA". */
export function feexpayCurrency(currency: string): string {
  return currency === 'XOF' ? 'FCFA' : currency;
}

/** The decimal text of `amountMinor` with `decimals` places, trailing zeros dropped: (10500000, 6) → "10.5". */
export function minorToDecimal(amountMinor: number, decimals: number): string {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new RangeError(`amountMinor must be a non-negative safe integer, got ${amountMinor}`);
  }
  if (!Number.isInteger(decimals) || decimals < 0) throw new RangeError(`decimals must be a non-negative integer, got ${decimals}`);
  const digits = String(amountMinor).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** Decimal places of a PayQI asset: `decimals` when given, else the provider's defaults (XRP, USDT, USDC: 6). */
export function payqiDecimals(currency: string, decimals?: number): number {
  if (decimals !== undefined) return decimals;
  const places = PAYQI_DEFAULT_DECIMALS[currency];
  if (places === undefined) {
    const known = Object.keys(PAYQI_DEFAULT_DECIMALS).join(', ');
    throw new CliUsageError(
      `PayQI asset ${currency} has no default number of decimals (known: ${known}); pass --decimals <n>, the value of the app's payqi({ decimals }) option.`,
    );
  }
  return places;
}

/**
 * PayQI: a decimal amount in the asset's unit, a JSON number as the guide shows (10.5), or the exact
 * decimal string when a double could not carry every digit; both parse back to `amountMinor`.
 */
export function payqiAmount(amountMinor: number, decimals: number): number | string {
  const text = minorToDecimal(amountMinor, decimals);
  const number = Number(text);
  return readsBackAs(number, decimals) === amountMinor ? number : text;
}

// What the library's parser makes of a JSON number: the double's shortest text, which may have lost digits.
function readsBackAs(amount: number, decimals: number): number | undefined {
  try {
    return decimalToMinor(amount, decimals);
  } catch {
    return undefined;
  }
}
