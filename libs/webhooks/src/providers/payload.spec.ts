import { createHash } from 'node:crypto';
import { WebhookPayloadError } from '../errors/webhook-payload.error';
import { boundedId, dateOf, isRecord, MAX_EVENT_ID_LENGTH, parseJsonObject, sha256Hex, text } from './payload';

describe('payload helpers', () => {
  describe('parseJsonObject', () => {
    it('answers the parsed object', () => {
      expect(parseJsonObject(Buffer.from('{"id":"evt_1","data":{"n":1}}'), 'A Test event')).toEqual({ id: 'evt_1', data: { n: 1 } });
    });

    it('refuses a body that is not JSON', () => {
      expect(() => parseJsonObject(Buffer.from('{not json'), 'A Test event')).toThrow(new WebhookPayloadError('The body is not valid JSON.'));
      expect(() => parseJsonObject(Buffer.from(''), 'A Test event')).toThrow(WebhookPayloadError);
    });

    it.each(['[1,2]', 'null', '"text"', '42', 'true'])('refuses JSON that is not an object: %s', (body) => {
      expect(() => parseJsonObject(Buffer.from(body), 'A Test event')).toThrow(new WebhookPayloadError('A Test event must be a JSON object.'));
    });
  });

  it('isRecord: plain objects only', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord({ a: 1 })).toBe(true);
    for (const value of [null, undefined, [], 'x', 1, true]) expect(isRecord(value)).toBe(false);
  });

  it('text: non-empty strings and finite numbers', () => {
    expect(text('abc')).toBe('abc');
    expect(text(42)).toBe('42');
    expect(text(0)).toBe('0');
    for (const value of ['', NaN, Infinity, null, undefined, {}, [], true]) expect(text(value)).toBeUndefined();
  });

  describe('dateOf', () => {
    const iso = '2026-11-25T12:00:00.000Z';
    const at = new Date(iso);
    const seconds = at.getTime() / 1000;

    it('reads date strings, and only them without numericUnit', () => {
      expect(dateOf(iso)).toEqual(at);
      expect(dateOf('not a date')).toBeUndefined();
      expect(dateOf(seconds)).toBeUndefined();
      expect(dateOf(null)).toBeUndefined();
      expect(dateOf({})).toBeUndefined();
    });

    it("numericUnit 's': numbers and digit strings are unix seconds", () => {
      expect(dateOf(seconds, { numericUnit: 's' })).toEqual(at);
      expect(dateOf(String(seconds), { numericUnit: 's' })).toEqual(at);
      expect(dateOf(at.getTime(), { numericUnit: 's' })).toEqual(new Date(at.getTime() * 1000)); // never read as milliseconds
      expect(dateOf(1e16, { numericUnit: 's' })).toBeUndefined(); // beyond the Date range
      expect(dateOf(iso, { numericUnit: 's' })).toEqual(at);
      expect(dateOf(NaN, { numericUnit: 's' })).toBeUndefined();
      expect(dateOf('9'.repeat(400), { numericUnit: 's' })).toBeUndefined();
    });

    it("numericUnit 'auto': seconds below 1e12, milliseconds from there", () => {
      expect(dateOf(seconds, { numericUnit: 'auto' })).toEqual(at);
      expect(dateOf(at.getTime(), { numericUnit: 'auto' })).toEqual(at);
      expect(dateOf(String(at.getTime()), { numericUnit: 'auto' })).toEqual(at);
      expect(dateOf(iso, { numericUnit: 'auto' })).toEqual(at);
      expect(dateOf(Infinity, { numericUnit: 'auto' })).toBeUndefined();
    });
  });

  describe('boundedId', () => {
    it(`keeps an id of up to ${MAX_EVENT_ID_LENGTH} characters`, () => {
      expect(boundedId('evt_1')).toBe('evt_1');
      expect(boundedId('x'.repeat(MAX_EVENT_ID_LENGTH))).toBe('x'.repeat(MAX_EVENT_ID_LENGTH));
    });

    it('replaces a longer one by its SHA-256 hex, the same every time', () => {
      const long = 'x'.repeat(MAX_EVENT_ID_LENGTH + 1);
      expect(boundedId(long)).toBe(createHash('sha256').update(long).digest('hex'));
      expect(boundedId(long)).toBe(sha256Hex(long));
      expect(boundedId(long)).toHaveLength(64);
    });
  });
});
