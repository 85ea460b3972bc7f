import { mvolaCallback, mvolaCallbackBody } from './mvola-callback';

const NOW = new Date('2026-11-25T12:00:00Z');

describe('mvolaCallback', () => {
  it('puts the token in the query by default, URL-encoded', () => {
    const request = mvolaCallback({ token: 'a b', serverCorrelationId: 's1', requestDate: NOW });
    expect(request).toMatchObject({ method: 'PUT', url: '/webhooks/mvola?token=a%20b', path: '/webhooks/mvola', query: { token: 'a b' } });
    expect(request.pathToken).toBeUndefined();
    expect(request.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('or as the last path segment of a custom endpoint', () => {
    const request = mvolaCallback({ token: 'tok', tokenIn: 'path', endpoint: '/api/mvola/', method: 'POST' });
    expect(request).toMatchObject({ method: 'POST', url: '/api/mvola/tok', path: '/api/mvola/tok', query: {}, pathToken: 'tok' });
  });

  it('builds the captured shape by default and the guide shape on request', () => {
    const fields = { serverCorrelationId: 's1', status: 'failed', reference: 'REG-1', transactionReference: '42', requestDate: NOW };
    expect(JSON.parse(mvolaCallback({ token: 't', ...fields }).body)).toEqual({
      transactionStatus: 'failed',
      serverCorrelationId: 's1',
      transactionReference: '42',
      requestDate: '2026-11-25T12:00:00.000Z',
      debitParty: [{ key: 'msisdn', value: '0343500003' }],
      creditParty: [{ key: 'msisdn', value: '0343500004' }],
      fees: [{ feeAmount: '0' }],
      metadata: [{ key: 'XCorrelationId', value: 'REG-1' }],
    });
    expect(mvolaCallbackBody({ ...fields, shape: 'guide', amount: '700' })).toEqual({
      transactionId: 's1',
      status: 'failed',
      amount: '700',
      currency: 'Ar',
      externalId: 'REG-1',
      requestDate: '2026-11-25T12:00:00.000Z',
    });
  });

  it('sends an exact body as is', () => {
    expect(mvolaCallback({ token: 't', body: '{"odd": 1}' }).body).toBe('{"odd": 1}');
    expect(mvolaCallback({ token: 't', body: { a: 1 } }).body).toBe('{"a":1}');
  });
});
