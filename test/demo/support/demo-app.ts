import { createServer } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { WebhookDeliveries } from 'nestjs-payment-webhooks';
import type { SignedRequest } from 'nestjs-payment-webhooks/testing';
import { loadDemoConfig, type DemoConfig } from '../../../apps/demo/src/demo.config';
import { setUpApiDocs } from '../../../apps/demo/src/api-docs';
import { DemoModule } from '../../../apps/demo/src/demo.module';
import type { DemoLoggingOptions } from '../../../apps/demo/src/logging/demo-logging.module';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

export const SECRETS = {
  STRIPE_WEBHOOK_SECRET: 'whsec_test_demo_new,whsec_test_demo_old',
  PAYSTACK_SECRET_KEY: 'sk_test_demo_paystack',
  FEEXPAY_WEBHOOK_SECRET: 'feexpay_test_demo_secret',
  PAYQI_WEBHOOK_SECRET: 'payqi_test_demo_secret',
  MVOLA_CALLBACK_TOKEN: 'mvola-test-demo-token',
  STANDARD_WEBHOOKS_SECRET: 'whsec_dGVzdC1kZW1vLXN0YW5kYXJkLXdlYmhvb2tz',
};

/** Every log line the app wrote, so tests can look for the operator's messages. */
export class RecordingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string }> = [];
  log(message: unknown): void {
    this.lines.push({ level: 'log', message: String(message) });
  }
  warn(message: unknown): void {
    this.lines.push({ level: 'warn', message: String(message) });
  }
  error(message: unknown): void {
    this.lines.push({ level: 'error', message: String(message) });
  }
  debug(): void {}
  verbose(): void {}
  has(level: string, fragment: string): boolean {
    return this.lines.some((line) => line.level === level && line.message.includes(fragment));
  }
}

/** The app's clock (webhook retries, registrations' ages), moved by hand; it keeps ticking with real time. */
export class ShiftableClock {
  private offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface DemoHarness {
  app: INestApplication;
  url: string;
  config: DemoConfig;
  database: TestDatabase;
  deliveries: WebhookDeliveries;
  clock: ShiftableClock;
  logs: RecordingLogger;
  /** POSTs (or PUTs) a signed delivery as a provider would. */
  deliver(path: string, signed: SignedRequest, method?: 'post' | 'put'): Promise<request.Response>;
  close(): Promise<void>;
}

/**
 * The real demo module on a fresh test database (SQLite, or PostgreSQL with TEST_DATABASE_URL),
 * listening on 127.0.0.1, background worker off: tests process deliveries with `runOnce()`.
 */
export async function startDemo(
  env: Record<string, string> = SECRETS,
  logging: Partial<DemoLoggingOptions> = {},
  /** Another replica: `database` is shared with it, and dropped by whoever created it. */
  options: { database?: TestDatabase } = {},
): Promise<DemoHarness> {
  const ownsDatabase = options.database === undefined;
  const database = options.database ?? (await createTestDatabase());
  const port = await freePort();
  const clock = new ShiftableClock();
  const logs = new RecordingLogger();
  const config: DemoConfig = {
    ...loadDemoConfig({ ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` }, { secretsDir: join(tmpdir(), 'no-demo-secrets') }),
    database: database.options,
    webhooks: { worker: false, clock: clock.now },
    clock: clock.now,
    // JSON logs are tested on their own (test/demo/logs); here the recording logger keeps Nest's lines.
    logLevel: 'silent',
  };
  let app: INestApplication | undefined;
  try {
    app = await NestFactory.create(DemoModule.forRoot(config, logging), { rawBody: true, logger: logs, abortOnError: false });
    app.enableShutdownHooks();
    setUpApiDocs(app);
    await app.listen(port, '127.0.0.1');
  } catch (error) {
    await app?.close();
    if (ownsDatabase) await database.drop();
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    config,
    database,
    deliveries: app.get(WebhookDeliveries),
    clock,
    logs,
    deliver: (path, signed, method = 'post') => request(url)[method](path).set(signed.headers).send(signed.body),
    close: async () => {
      await app.close();
      if (ownsDatabase) await database.drop();
    },
  };
}

/** A port free right now: MVola's callback URL (PUBLIC_URL) must be known before the app listens. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Creates an event and registers for it through the HTTP API; returns what the API answered. */
export async function createEvent(url: string, body: Partial<{ title: string; capacity: number; priceMinor: number; currency: string }> = {}) {
  const response = await request(url)
    .post('/events')
    .send({ title: 'NestJS meetup', capacity: 10, priceMinor: 2500, currency: 'EUR', ...body });
  if (response.status !== 201) throw new Error(`POST /events answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as { id: string; seatsLeft: number };
}

export async function register(url: string, eventId: string, body: Partial<{ email: string; provider: string; phone: string }> = {}) {
  const response = await request(url)
    .post(`/events/${eventId}/registrations`)
    .send({ email: 'ada@example.com', provider: 'stripe', ...body });
  if (response.status !== 201) throw new Error(`POST /events/${eventId}/registrations answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as { id: string; status: string; reference: string };
}

export async function registration(url: string, id: string) {
  return (await request(url).get(`/registrations/${id}`).expect(200)).body as {
    id: string;
    eventId: string;
    email: string;
    provider: string;
    status: string;
    reference: string;
    paidAt: string | null;
    paymentIssue?: { received: Record<string, unknown>; expected: Record<string, unknown>; at: string };
    reconciliation?: { checkedAt: string; outcome: string; detail: string; checks: number; nextCheckAt: string | null };
  };
}

export async function seatsLeft(url: string, eventId: string): Promise<number> {
  return ((await request(url).get(`/events/${eventId}`).expect(200)).body as { seatsLeft: number }).seatsLeft;
}
