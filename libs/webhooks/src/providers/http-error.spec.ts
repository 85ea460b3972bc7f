import { fetchFailure } from './http-error';

describe('fetchFailure', () => {
  it('reads a refused connection: message and system code from the cause', () => {
    const error = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
    expect(fetchFailure(error)).toEqual({ timedOut: false, message: 'fetch failed', code: 'ECONNREFUSED' });
  });

  it('reads a timeout, whether the fetch kept the signal reason or not', () => {
    expect(fetchFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError')).timedOut).toBe(true);
    expect(fetchFailure(new DOMException('This operation was aborted', 'AbortError')).timedOut).toBe(true);
  });

  it('reads plain objects from another realm, and says nothing about anything else', () => {
    expect(fetchFailure({ name: 'TimeoutError' })).toEqual({ timedOut: true });
    expect(fetchFailure({ message: 'boom', cause: { code: 42 } })).toEqual({ timedOut: false, message: 'boom' });
    for (const value of [undefined, null, 'boom', 7]) expect(fetchFailure(value)).toEqual({ timedOut: false });
  });
});
