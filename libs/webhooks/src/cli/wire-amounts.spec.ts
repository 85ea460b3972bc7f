import { decimalToMinor } from '../providers/money';
import { CliUsageError } from './usage.error';
import { feexpayCurrency, minorToDecimal, payqiAmount, payqiDecimals, stripeCurrency } from './wire-amounts';

describe('wire amounts', () => {
  it('minorToDecimal writes minor units as the shortest exact decimal', () => {
    expect(minorToDecimal(10_500_000, 6)).toBe('10.5');
    expect(minorToDecimal(1, 6)).toBe('0.000001');
    expect(minorToDecimal(0, 6)).toBe('0');
    expect(minorToDecimal(2500, 2)).toBe('25');
    expect(minorToDecimal(2501, 2)).toBe('25.01');
    expect(minorToDecimal(5000, 0)).toBe('5000');
    expect(minorToDecimal(Number.MAX_SAFE_INTEGER, 15)).toBe('9.007199254740991');
    expect(() => minorToDecimal(1.5, 2)).toThrow(RangeError);
    expect(() => minorToDecimal(-1, 2)).toThrow(RangeError);
  });

  it('minorToDecimal is the inverse of the library\'s decimalToMinor', () => {
    for (const decimals of [0, 2, 6, 8, 15]) {
      for (const minor of [0, 1, 9, 10, 999_999, 1_000_000, 10_500_000, 123_456_789_012, Number.MAX_SAFE_INTEGER]) {
        expect(decimalToMinor(minorToDecimal(minor, decimals), decimals)).toBe(minor);
      }
    }
  });

  it('payqiAmount is a JSON number when a double keeps every digit, else the exact string', () => {
    expect(payqiAmount(10_500_000, 6)).toBe(10.5);
    expect(payqiAmount(1, 6)).toBe(0.000001);
    expect(payqiAmount(25_000_000, 6)).toBe(25);
    // 16 significant digits: a double would round them, so the decimal goes as a string.
    expect(payqiAmount(Number.MAX_SAFE_INTEGER, 6)).toBe('9007199254.740991');
    for (const minor of [1, 10_500_000, 123_456_789_012_345, Number.MAX_SAFE_INTEGER]) {
      const wire = JSON.parse(JSON.stringify({ amount: payqiAmount(minor, 6) })).amount;
      expect(decimalToMinor(wire, 6)).toBe(minor);
    }
  });

  it('payqiDecimals uses the provider\'s defaults, or --decimals for other assets', () => {
    expect(payqiDecimals('XRP')).toBe(6);
    expect(payqiDecimals('USDC')).toBe(6);
    expect(payqiDecimals('BTC', 8)).toBe(8);
    expect(() => payqiDecimals('BTC')).toThrow(CliUsageError);
    expect(() => payqiDecimals('BTC')).toThrow(/pass --decimals <n>/);
  });

  it('Stripe currencies are lower case; FeexPay spells XOF as FCFA', () => {
    expect(stripeCurrency('EUR')).toBe('eur');
    expect(feexpayCurrency('XOF')).toBe('FCFA');
    expect(feexpayCurrency('XAF')).toBe('XAF');
  });
});
