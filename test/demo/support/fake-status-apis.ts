import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What Paystack's verify answers for a reference; unknown references answer "not found". */
export interface FakePaystackTransaction {
  status: 'success' | 'failed' | 'abandoned' | 'ongoing' | 'pending' | 'reversed';
  amount: number;
  currency: string;
  id?: number;
}

/** What FeexPay's status look-up answers for a reference; unknown references answer 404. */
export interface FakeFeexpayPayment {
  status: 'SUCCESSFUL' | 'FAILED' | 'PENDING' | 'TIMEOUT';
  amount?: number;
}

export interface FakeStatusApis {
  readonly url: string;
  /** Every status request answered, oldest first. */
  readonly requests: Array<{ provider: 'paystack' | 'feexpay'; reference: string; authorization?: string; status: number }>;
  paystack: Map<string, FakePaystackTransaction>;
  feexpay: Map<string, FakeFeexpayPayment>;
  /** While down, every call answers 503. */
  setDown(down: boolean): void;
  /** While broken, every connection is dropped before any answer. */
  setBroken(broken: boolean): void;
  requestsFor(reference: string): number;
  close(): Promise<void>;
}

const PAYSTACK_VERIFY = /^\/transaction\/verify\/([^/?]+)$/;
const FEEXPAY_STATUS = /^\/api\/transactions\/getrequesttopay\/integration\/([^/?]+)$/;

/**
 * Paystack's `GET /transaction/verify/:reference` and FeexPay's status look-up, on 127.0.0.1, with
 * the bearer tokens they require, answering as the providers document.
 */
export async function startFakeStatusApis(tokens: { paystackSecretKey: string; feexpayToken: string }): Promise<FakeStatusApis> {
  const paystack = new Map<string, FakePaystackTransaction>();
  const feexpay = new Map<string, FakeFeexpayPayment>();
  const requests: FakeStatusApis['requests'] = [];
  let down = false;
  let broken = false;

  const server = createServer((req, res) => {
    if (broken) return void req.socket.destroy();
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = req.url ?? '/';
    const paystackMatch = PAYSTACK_VERIFY.exec(path);
    const feexpayMatch = FEEXPAY_STATUS.exec(path);
    const match = paystackMatch ?? feexpayMatch;
    if (req.method !== 'GET' || !match) return send(404, { message: `No route ${req.method} ${path}` });
    const provider = paystackMatch ? 'paystack' : 'feexpay';
    const reference = decodeURIComponent(match[1]);
    const answer = down ? { status: 503, body: { message: 'Service unavailable' } } : answerFor(provider, reference, req.headers);
    requests.push({ provider, reference, authorization: req.headers.authorization, status: answer.status });
    send(answer.status, answer.body);
  });

  const answerFor = (provider: 'paystack' | 'feexpay', reference: string, headers: IncomingHttpHeaders) => {
    if (provider === 'paystack') {
      if (headers.authorization !== `Bearer ${tokens.paystackSecretKey}`) return { status: 401, body: { status: false, message: 'Invalid key' } };
      const transaction = paystack.get(reference);
      if (!transaction) {
        return { status: 400, body: { status: false, message: 'Transaction reference not found', type: 'validation_error', code: 'transaction_not_found' } };
      }
      return {
        status: 200,
        body: {
          status: true,
          message: 'Verification successful',
          data: {
            id: transaction.id ?? 4_099_260_516,
            domain: 'test',
            status: transaction.status,
            reference,
            amount: transaction.amount,
            currency: transaction.currency,
            paid_at: transaction.status === 'success' ? new Date().toISOString() : null,
            customer: { email: 'ada@example.com' },
          },
        },
      };
    }
    if (headers.authorization !== `Bearer ${tokens.feexpayToken}`) return { status: 401, body: { message: 'Unauthenticated.' } };
    const payment = feexpay.get(reference);
    if (!payment) return { status: 404, body: { message: 'Transaction not found' } };
    return { status: 200, body: { reference, status: payment.status, ...(payment.amount === undefined ? {} : { amount: payment.amount }) } };
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    paystack,
    feexpay,
    setDown: (value) => {
      down = value;
    },
    setBroken: (value) => {
      broken = value;
    },
    requestsFor: (reference) => requests.filter((request) => request.reference === reference).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
