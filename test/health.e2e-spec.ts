import { Controller, Get, Injectable, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  OnPaymentCompleted,
  stripe,
  WebhooksHealthIndicator,
  WebhooksHealthModule,
  type PaymentEvent,
  type WebhookHandlerContext,
} from 'nestjs-payment-webhooks';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { startDemo, type DemoHarness } from './demo/support/demo-app';
import { checkoutCompleted } from './support/stripe-fixtures';
import { TcpProxy } from './support/tcp-proxy';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { TestClock } from './support/test-clock';
import { useWebhookApp } from './support/use-webhook-app';
import { PLATFORMS, startWebhookApp, type Platform, type Registration, type WebhookApp } from './support/webhook-app';

const SECRET = 'whsec_test_health';
const TIMEOUT_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Liveness and readiness as an app writes them with @nestjs/terminus. */
@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly webhooks: WebhooksHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  live() {
    return this.health.check([() => this.webhooks.isWorkerAlive()]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.webhooks.isInboxReachable(), () => this.webhooks.isBacklogHealthy()]);
  }
}

const THRESHOLDS = { maxBacklog: 2, maxOldestUnprocessedAgeMs: 60_000, timeoutMs: TIMEOUT_MS };

function healthModule(registration: Registration, options: object = THRESHOLDS): DynamicModule {
  if (registration === 'forRoot') return WebhooksHealthModule.forRoot(options);
  return WebhooksHealthModule.forRootAsync({
    imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ health: options })] })],
    inject: [ConfigService],
    useFactory: (config: ConfigService) => config.getOrThrow('health'),
  });
}

function signed(reference: string, clock?: TestClock) {
  const timestamp = clock ? Math.floor(clock.now().getTime() / 1000) : undefined;
  return signStripe({ payload: { ...checkoutCompleted(reference), id: `evt_${reference}` }, secret: SECRET, timestamp });
}

const CASES: Array<[Platform, Registration]> = PLATFORMS.flatMap((platform) => [
  [platform, 'forRoot'],
  [platform, 'forRootAsync'],
] as Array<[Platform, Registration]>);

describe.each(CASES)('Health on %s, WebhooksHealthModule.%s', (platform, registration) => {
  const clock = new TestClock();
  const app = useWebhookApp({
    platform,
    webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false, clock: clock.now },
    imports: [healthModule(registration)],
    controllers: [HealthController],
  });
  const deliver = async (reference: string) => {
    const delivery = signed(reference, clock);
    expect((await request(app().url).post('/webhooks/stripe').set(delivery.headers).send(delivery.body)).status).toBe(200);
  };
  const ready = () => request(app().url).get('/health/ready');
  const live = () => request(app().url).get('/health');

  it('is live and ready on an empty inbox', async () => {
    const liveness = await live();
    expect(liveness.status).toBe(200);
    expect(liveness.body).toMatchObject({ status: 'ok', info: { 'webhooks-worker': { status: 'up', running: false, inFlight: 0 } } });
    const readiness = await ready();
    expect(readiness.status).toBe(200);
    expect(readiness.body).toMatchObject({
      status: 'ok',
      info: {
        'webhooks-inbox': { status: 'up' },
        'webhooks-backlog': { status: 'up', backlog: 0, maxBacklog: 2, oldestUnprocessedAgeMs: 0, maxOldestUnprocessedAgeMs: 60_000 },
      },
      error: {},
    });
  });

  it('is not ready, with details, once the backlog passes maxBacklog; still live', async () => {
    for (const reference of ['BACKLOG-1', 'BACKLOG-2']) await deliver(reference);
    expect((await ready()).status).toBe(200);
    await deliver('BACKLOG-3');
    const readiness = await ready();
    expect(readiness.status).toBe(503);
    expect(readiness.body).toMatchObject({
      status: 'error',
      info: { 'webhooks-inbox': { status: 'up' } },
      error: {
        'webhooks-backlog': {
          status: 'down',
          backlog: 3,
          maxBacklog: 2,
          message: '3 deliveries wait to be processed, more than maxBacklog (2).',
        },
      },
    });
    expect((await live()).status).toBe(200);
  });

  it('is ready again once the backlog is processed', async () => {
    expect(await app().deliveries.runOnce()).toMatchObject({ processed: 3 });
    expect((await ready()).status).toBe(200);
  });

  it('is not ready once the oldest delivery has waited longer than maxOldestUnprocessedAgeMs', async () => {
    await deliver('OLD-1');
    clock.advance(60_000);
    expect((await ready()).status).toBe(200);
    clock.advance(1);
    const readiness = await ready();
    expect(readiness.status).toBe(503);
    expect(readiness.body.error['webhooks-backlog']).toEqual({
      status: 'down',
      backlog: 1,
      maxBacklog: 2,
      oldestUnprocessedAgeMs: 60_001,
      maxOldestUnprocessedAgeMs: 60_000,
      dead: 0,
      message: 'the oldest unprocessed delivery has waited 60001 ms, more than maxOldestUnprocessedAgeMs (60000).',
    });
    await app().deliveries.runOnce();
    expect((await ready()).status).toBe(200);
  });

  it('is not ready, at once, when the database is gone; still live', async () => {
    await app().get(DataSource).destroy();
    const started = Date.now();
    const readiness = await ready();
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    expect(readiness.status).toBe(503);
    expect(readiness.body.error['webhooks-inbox']).toMatchObject({ status: 'down', message: expect.stringMatching(/^The inbox store failed: /) });
    expect(readiness.body.error['webhooks-backlog']).toMatchObject({ status: 'down', message: expect.stringMatching(/^Unknown: the inbox store failed/) });
    expect((await live()).status).toBe(200);
  });
});

/** Holds every payment until the test lets it go: a hung handler. */
@Injectable()
class HangingHandler {
  private release!: () => void;
  private gate = new Promise<void>((resolve) => (this.release = resolve));

  @OnPaymentCompleted({ name: 'hangs' })
  async hang(_payment: PaymentEvent, ctx: WebhookHandlerContext): Promise<void> {
    await Promise.race([this.gate, new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))]);
  }

  letGo(): void {
    this.release();
  }
}

describe('Health: a stuck background worker', () => {
  const STALL_MS = 300;
  const app = useWebhookApp({
    platform: 'express',
    webhooks: { endpoints: [stripe({ secrets: [SECRET] })], pollIntervalMs: 50, shutdownGraceMs: 500 },
    imports: [WebhooksHealthModule.forRoot({ workerStallMs: STALL_MS })],
    controllers: [HealthController],
    providers: [HangingHandler],
  });
  const live = () => request(app().url).get('/health');

  it('is live while the worker runs', async () => {
    const liveness = await live();
    expect(liveness.status).toBe(200);
    expect(liveness.body.info['webhooks-worker']).toMatchObject({ status: 'up', running: true, inFlight: 0, failedClaims: 0 });
  });

  it('is not live once its deliveries have run longer than workerStallMs with none finishing, and live again when they finish', async () => {
    const delivery = signed('HANGS-1');
    expect((await request(app().url).post('/webhooks/stripe').set(delivery.headers).send(delivery.body)).status).toBe(200);
    await sleep(50);
    expect((await live()).status).toBe(200);
    await sleep(STALL_MS + 100);
    const liveness = await live();
    expect(liveness.status).toBe(503);
    expect(liveness.body.error['webhooks-worker']).toMatchObject({
      status: 'down',
      running: true,
      inFlight: 1,
      message: expect.stringMatching(/^The worker is stuck: 1 delivery\(ies\) in flight, the oldest for \d+ ms, none finished for \d+ ms \(workerStallMs 300\)\.$/),
    });

    app().get(HangingHandler).letGo();
    for (let i = 0; i < 40 && (await app().deliveries.stats()).backlog > 0; i++) await sleep(25);
    const after = await live();
    expect(after.status).toBe(200);
    expect(after.body.info['webhooks-worker']).toMatchObject({ status: 'up', inFlight: 0 });
  });
});

describe('Health: options and wiring are checked at start-up', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('names an option that cannot work', async () => {
    const start = startWebhookApp({
      platform: 'express',
      database,
      webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false },
      imports: [WebhooksHealthModule.forRoot({ maxBacklog: -1 })],
    });
    await expect(start).rejects.toThrow('WebhooksHealthModule maxBacklog: must be an integer of at least 0, got -1');
  });
});

const onPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

onPostgres('Health: PostgreSQL hangs under the app (TCP proxy)', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let harness: WebhookApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    const url = new URL(process.env.TEST_DATABASE_URL!);
    proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.start();
    url.port = String(proxy.port);
    harness = await startWebhookApp({
      platform: 'express',
      database: { ...database, options: { ...database.options, url: url.toString() } as TestDatabase['options'] },
      webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false },
      imports: [WebhooksHealthModule.forRoot(THRESHOLDS)],
      controllers: [HealthController],
    });
  });
  afterAll(async () => {
    proxy?.open();
    await harness?.close();
    await proxy?.stop();
    await database?.drop();
  });

  it('is not ready within timeoutMs while the database hangs, still live, and ready again once it answers', async () => {
    expect((await request(harness.url).get('/health/ready')).status).toBe(200);
    proxy.freeze();
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const readiness = await request(harness.url).get('/health/ready');
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 500);
      expect(readiness.status).toBe(503);
      expect(readiness.body.error['webhooks-inbox']).toEqual({ status: 'down', message: `The inbox store failed: the inbox did not answer within ${TIMEOUT_MS} ms` });
    }
    expect((await request(harness.url).get('/health')).status).toBe(200);
    proxy.open();
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await request(harness.url).get('/health/ready')).status;
      if (status !== 200) await sleep(100);
    }
    expect(status).toBe(200);
  });
});

describe('Health of the demo: GET /health and GET /health/ready', () => {
  let demo: DemoHarness;

  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('answers liveness from the worker and readiness from the inbox, with @nestjs/terminus', async () => {
    const liveness = await request(demo.url).get('/health');
    expect(liveness.status).toBe(200);
    expect(liveness.body).toMatchObject({ status: 'ok', info: { 'webhooks-worker': { status: 'up' } } });
    const readiness = await request(demo.url).get('/health/ready');
    expect(readiness.status).toBe(200);
    expect(readiness.body).toMatchObject({
      status: 'ok',
      info: { 'webhooks-inbox': { status: 'up' }, 'webhooks-backlog': { status: 'up', backlog: 0, maxBacklog: 1000 } },
    });
  });
});
