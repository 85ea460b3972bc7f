import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MvolaMerchantPayCallback } from '../providers/mvola/mvola-callback';
import { mvolaCallbackBody } from './mvola-callback';

/** Statuses the fake's status look-up can answer. */
export type FakeMvolaStatus = 'completed' | 'failed' | 'pending';

export interface FakeMvolaApiOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Credentials the token endpoint accepts. Defaults `fake-consumer-key` / `fake-consumer-secret`. */
  consumerKey?: string;
  consumerSecret?: string;
  /** Lifetime of issued access tokens, in seconds. Default 3600. */
  expiresIn?: number;
}

/** One request the fake answered (control routes excluded). */
export interface FakeMvolaRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The fake's answer. */
  status: number;
}

/** A merchant payment the fake knows, started by the initiate call or by `setStatus`. */
export interface FakeMvolaPayment {
  serverCorrelationId: string;
  status: FakeMvolaStatus;
  /** MVola's transaction reference, reported as `objectReference` once completed. */
  transactionReference: string;
  /** The merchant's `X-CorrelationID`, echoed in the callback. */
  reference?: string;
  callbackUrl?: string;
  amount?: string;
  /** The initiation's `requestDate`, echoed in the callback. */
  requestDate?: string;
  phone?: string;
  partnerMsisdn?: string;
}

export interface FakeMvolaApi {
  /** Base URL to give as `api.baseUrl`. */
  readonly url: string;
  readonly consumerKey: string;
  readonly consumerSecret: string;
  /** Every API request answered, oldest first. */
  readonly requests: readonly FakeMvolaRequest[];
  /** Number of `POST /token` calls. */
  readonly tokenRequests: number;
  payment(serverCorrelationId: string): FakeMvolaPayment | undefined;
  /** What the status look-up answers for this transaction (creates it if unknown). */
  setStatus(serverCorrelationId: string, status: FakeMvolaStatus): void;
  /** While down, every API call answers 503. */
  setDown(down: boolean): void;
  /** Delay before each API answer, in ms (for timeouts). */
  setDelay(ms: number): void;
  /** Invalidates every access token issued so far: the next API call gets a 401. */
  revokeTokens(): void;
  /** The captured-shape callback MVola would send for this transaction. */
  callbackBody(serverCorrelationId: string, status?: FakeMvolaStatus): MvolaMerchantPayCallback;
  /**
   * Sets the status, then PUTs the callback to the `X-Callback-URL` given at initiation, as MVola does.
   * Returns the HTTP status the receiver answered.
   */
  callback(serverCorrelationId: string, status?: FakeMvolaStatus): Promise<number>;
  close(): Promise<void>;
}

const MERCHANT_PAY_PATH = '/mvola/mm/transactions/type/merchantpay/1.0.0/';
const STATUS_PATH = `${MERCHANT_PAY_PATH}status/`;
// Lets the command-line fake drive callbacks for the demo: POST /_fake/payments/<id>/callback {"status":…}.
const CONTROL_CALLBACK = /^\/_fake\/payments\/([^/]+)\/callback$/;

/** Starts a local fake of MVola's merchant-pay API on 127.0.0.1, for tests and the demo. */
export async function startFakeMvolaApi(options: FakeMvolaApiOptions = {}): Promise<FakeMvolaApi> {
  const fake = new FakeMvolaServer(options);
  await fake.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return fake;
}

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

class FakeMvolaServer implements FakeMvolaApi {
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly requests: FakeMvolaRequest[] = [];
  url = '';
  private tokenCount = 0;
  private down = false;
  private delayMs = 0;
  private readonly expiresIn: number;
  private readonly tokens = new Set<string>();
  private readonly payments = new Map<string, FakeMvolaPayment>();
  private readonly closing = new AbortController();
  private readonly server = createServer((req, res) => void this.handle(req, res));

  constructor(options: FakeMvolaApiOptions) {
    this.consumerKey = options.consumerKey ?? 'fake-consumer-key';
    this.consumerSecret = options.consumerSecret ?? 'fake-consumer-secret';
    this.expiresIn = options.expiresIn ?? 3600;
  }

  get tokenRequests(): number {
    return this.tokenCount;
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const address = this.server.address() as AddressInfo;
        const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        this.url = `http://${hostname}:${address.port}`;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  payment(serverCorrelationId: string): FakeMvolaPayment | undefined {
    const payment = this.payments.get(serverCorrelationId);
    return payment && { ...payment };
  }

  setStatus(serverCorrelationId: string, status: FakeMvolaStatus): void {
    const payment = this.payments.get(serverCorrelationId);
    if (payment) payment.status = status;
    else this.payments.set(serverCorrelationId, { serverCorrelationId, status, transactionReference: transactionReference() });
  }

  setDown(down: boolean): void {
    this.down = down;
  }

  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  revokeTokens(): void {
    this.tokens.clear();
  }

  callbackBody(serverCorrelationId: string, status?: FakeMvolaStatus): MvolaMerchantPayCallback {
    const payment = this.payments.get(serverCorrelationId);
    if (!payment?.reference) {
      throw new Error(`Fake MVola: no payment ${serverCorrelationId} was initiated, so there is no reference to call back with.`);
    }
    return mvolaCallbackBody({
      shape: 'captured',
      status: status ?? payment.status,
      serverCorrelationId,
      reference: payment.reference,
      phone: payment.phone,
      partnerMsisdn: payment.partnerMsisdn,
      transactionReference: payment.transactionReference,
      requestDate: payment.requestDate === undefined ? undefined : new Date(payment.requestDate),
    }) as MvolaMerchantPayCallback;
  }

  async callback(serverCorrelationId: string, status?: FakeMvolaStatus): Promise<number> {
    const body = this.callbackBody(serverCorrelationId, status);
    const payment = this.payments.get(serverCorrelationId)!;
    if (!payment.callbackUrl) throw new Error(`Fake MVola: payment ${serverCorrelationId} was initiated without X-Callback-URL.`);
    if (status) payment.status = status;
    const response = await fetch(payment.callbackUrl, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    return response.status;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readBody(req);
      const path = req.url ?? '/';
      const control = CONTROL_CALLBACK.exec(path);
      if (control && req.method === 'POST') return send(res, await this.controlCallback(decodeURIComponent(control[1]), body));
      if (path === '/_fake/payments' && req.method === 'GET') return send(res, new HttpAnswer(200, [...this.payments.values()]));

      if (this.delayMs > 0) await sleep(this.delayMs, undefined, { signal: this.closing.signal });
      const answer = this.down
        ? new HttpAnswer(503, { errorCategory: 'internal', errorCode: '5000', errorDescription: 'Service Unavailable' })
        : this.route(req, path, body);
      this.requests.push({ method: req.method ?? '', path, headers: req.headers, body, status: answer.status });
      send(res, answer);
    } catch (error) {
      if (this.closing.signal.aborted) return;
      send(res, new HttpAnswer(500, { errorDescription: error instanceof Error ? error.message : 'fake failure' }));
    }
  }

  private route(req: IncomingMessage, path: string, body: string): HttpAnswer {
    if (req.method === 'POST' && path === '/token') return this.issueToken(req, body);
    if (req.method === 'GET' && path.startsWith(STATUS_PATH)) {
      return this.authorized(req) ?? this.status(req, decodeURIComponent(path.slice(STATUS_PATH.length)));
    }
    if (req.method === 'POST' && path === MERCHANT_PAY_PATH) return this.authorized(req) ?? this.initiate(req, body);
    return new HttpAnswer(404, { errorCategory: 'identification', errorCode: '4040', errorDescription: `No route ${req.method} ${path}` });
  }

  private issueToken(req: IncomingMessage, body: string): HttpAnswer {
    this.tokenCount += 1;
    const expected = `Basic ${Buffer.from(`${this.consumerKey}:${this.consumerSecret}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      return new HttpAnswer(401, { error: 'invalid_client', error_description: 'Client Authentication failed.' });
    }
    const form = new URLSearchParams(body);
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded') || form.get('grant_type') !== 'client_credentials') {
      return new HttpAnswer(400, { error: 'unsupported_grant_type', error_description: 'grant_type=client_credentials form expected' });
    }
    if (form.get('scope') !== 'EXT_INT_MVOLA_SCOPE') return new HttpAnswer(400, { error: 'invalid_scope', error_description: 'scope EXT_INT_MVOLA_SCOPE expected' });
    const token = randomBytes(16).toString('hex');
    this.tokens.add(token);
    return new HttpAnswer(200, { access_token: token, scope: 'EXT_INT_MVOLA_SCOPE', token_type: 'Bearer', expires_in: this.expiresIn });
  }

  private authorized(req: IncomingMessage): HttpAnswer | undefined {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.tokens.has(token)) {
      return new HttpAnswer(401, { fault: { code: 900901, message: 'Invalid Credentials', description: 'Invalid Credentials. Make sure you have given the correct access token' } });
    }
    const missing = ['version', 'x-correlationid', 'useraccountidentifier', 'partnername'].find((name) => !req.headers[name]);
    if (missing) return missingField(`header ${missing}`);
    if (req.headers.version !== '1.0') return missingField('header Version 1.0');
    return undefined;
  }

  private status(req: IncomingMessage, serverCorrelationId: string): HttpAnswer {
    const payment = this.payments.get(serverCorrelationId);
    if (!payment) return new HttpAnswer(404, { errorCategory: 'businessRule', errorCode: '4004', errorDescription: 'Transaction not found' });
    return new HttpAnswer(200, {
      status: payment.status,
      serverCorrelationId,
      notificationMethod: payment.callbackUrl ? 'callback' : 'polling',
      objectReference: payment.status === 'completed' ? payment.transactionReference : '',
    });
  }

  private initiate(req: IncomingMessage, body: string): HttpAnswer {
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return new HttpAnswer(400, { errorCategory: 'validation', errorCode: '4000', errorDescription: 'Body is not JSON' });
    }
    const phone = msisdnOf(request.debitParty);
    const partnerMsisdn = msisdnOf(request.creditParty);
    if (typeof request.amount !== 'string' || !/^\d+$/.test(request.amount)) return missingField('amount (string of digits)');
    if (request.currency !== 'Ar') return missingField('currency Ar');
    if (typeof request.descriptionText !== 'string' || request.descriptionText === '' || request.descriptionText.length > 50) return missingField('descriptionText');
    if (typeof request.requestDate !== 'string' || Number.isNaN(Date.parse(request.requestDate))) return missingField('requestDate');
    if (!phone) return missingField('debitParty msisdn');
    if (!partnerMsisdn) return missingField('creditParty msisdn');
    if (req.headers.useraccountidentifier !== `msisdn;${partnerMsisdn}`) return missingField('header UserAccountIdentifier msisdn;<creditParty msisdn>');
    if (typeof request.requestingOrganisationTransactionReference !== 'string') return missingField('requestingOrganisationTransactionReference');
    if (!Array.isArray(request.metadata)) return missingField('metadata');
    const serverCorrelationId = randomUUID();
    const callbackUrl = req.headers['x-callback-url'];
    this.payments.set(serverCorrelationId, {
      serverCorrelationId,
      status: 'pending',
      transactionReference: transactionReference(),
      reference: String(req.headers['x-correlationid']),
      callbackUrl: typeof callbackUrl === 'string' ? callbackUrl : undefined,
      amount: request.amount,
      requestDate: request.requestDate,
      phone,
      partnerMsisdn,
    });
    return new HttpAnswer(202, { status: 'pending', serverCorrelationId, notificationMethod: callbackUrl ? 'callback' : 'polling' });
  }

  private async controlCallback(serverCorrelationId: string, body: string): Promise<HttpAnswer> {
    let status: unknown;
    try {
      status = body === '' ? undefined : (JSON.parse(body) as { status?: unknown }).status;
    } catch {
      return new HttpAnswer(400, { message: 'send {"status":"completed"|"failed"|"pending"}' });
    }
    if (status !== undefined && status !== 'completed' && status !== 'failed' && status !== 'pending') {
      return new HttpAnswer(400, { message: 'status must be completed, failed or pending' });
    }
    try {
      return new HttpAnswer(200, { callbackStatus: await this.callback(serverCorrelationId, status) });
    } catch (error) {
      return new HttpAnswer(409, { message: error instanceof Error ? error.message : 'callback failed' });
    }
  }
}

function missingField(field: string): HttpAnswer {
  return new HttpAnswer(400, { errorCategory: 'validation', errorCode: '4001', errorDescription: `Missing field: ${field}` });
}

function msisdnOf(parties: unknown): string | undefined {
  if (!Array.isArray(parties)) return undefined;
  const party = parties.find((entry: { key?: unknown; value?: unknown }) => entry?.key === 'msisdn' && typeof entry.value === 'string' && entry.value !== '');
  return party?.value;
}

function transactionReference(): string {
  return String(randomInt(100_000_000, 999_999_999));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, answer: HttpAnswer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(answer.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(answer.body));
}
