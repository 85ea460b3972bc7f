import { Controller, Get, Header, Injectable, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { Registry } from 'prom-client';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OnPaymentCompleted, stripe, WebhooksMetricsModule, type PaymentEvent } from 'nestjs-payment-webhooks';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { SECRETS, startDemo, type DemoHarness } from './demo/support/demo-app';
import { checkoutCompleted } from './support/stripe-fixtures';
import { TestClock } from './support/test-clock';
import { useWebhookApp } from './support/use-webhook-app';
import { PLATFORMS, type Platform, type Registration } from './support/webhook-app';

const SECRET = 'whsec_test_metrics';

/** Two named handlers; `book-seat` fails for references starting with FAIL. */
@Injectable()
class BookingHandlers {
  @OnPaymentCompleted({ name: 'book-seat' })
  book(payment: PaymentEvent): void {
    if (payment.reference.startsWith('FAIL')) throw new Error('no seat left');
  }

  @OnPaymentCompleted({ name: 'send-receipt' })
  receipt(): void {}
}

/** The forRootAsync apps use a registry of their own, served here (the forRoot ones: @willsoto/nestjs-prometheus). */
const ownRegistry = new Registry();

@Controller('metrics')
class OwnRegistryController {
  @Get()
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  metrics(): Promise<string> {
    return ownRegistry.metrics();
  }
}

/** The value of one sample of the Prometheus text: exact name and exact label set. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]));
    const wanted = Object.entries(labels);
    if (Object.keys(found).length === wanted.length && wanted.every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

const CASES: Array<[Platform, Registration]> = PLATFORMS.flatMap((platform) => [
  [platform, 'forRoot'],
  [platform, 'forRootAsync'],
] as Array<[Platform, Registration]>);

describe.each(CASES)('Metrics on %s, WebhooksMetricsModule.%s', (platform, registration) => {
  const clock = new TestClock();
  const metricsModule: DynamicModule[] =
    registration === 'forRoot'
      ? [WebhooksMetricsModule.forRoot(), PrometheusModule.register({ defaultMetrics: { enabled: false } })]
      : [
          WebhooksMetricsModule.forRootAsync({
            imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ statsTimeoutMs: 1000 })] })],
            inject: [ConfigService],
            useFactory: (config: ConfigService) => ({ registry: ownRegistry, statsTimeoutMs: config.getOrThrow<number>('statsTimeoutMs') }),
          }),
        ];
  const app = useWebhookApp({
    platform,
    webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false, clock: clock.now, maxAttempts: 2 },
    providers: [BookingHandlers],
    imports: metricsModule,
    controllers: registration === 'forRoot' ? [] : [OwnRegistryController],
  });
  const deliver = (reference: string, secret = SECRET) => {
    const signed = signStripe({ payload: { ...checkoutCompleted(reference), id: `evt_${reference}` }, secret, timestamp: Math.floor(clock.now().getTime() / 1000) });
    return request(app().url).post('/webhooks/stripe').set(signed.headers).send(signed.body);
  };
  const scrape = async () => {
    const response = await request(app().url).get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return response.text;
  };

  it('counts stored, duplicate and refused deliveries by endpoint, outcome and reason, and times the acknowledgements', async () => {
    expect((await deliver('OK-1')).body).toMatchObject({ duplicate: false });
    expect((await deliver('OK-1')).body).toMatchObject({ duplicate: true });
    expect((await deliver('FAIL-1')).status).toBe(200);
    expect((await deliver('BAD-1', 'whsec_test_not_the_secret')).status).toBe(401);
    expect((await request(app().url).post('/webhooks/stripe').set('content-type', 'application/json').send('{}')).status).toBe(401);

    const text = await scrape();
    expect(sample(text, 'webhooks_deliveries_received_total', { endpoint: 'stripe', outcome: 'stored' })).toBe(2);
    expect(sample(text, 'webhooks_deliveries_received_total', { endpoint: 'stripe', outcome: 'duplicate' })).toBe(1);
    expect(sample(text, 'webhooks_deliveries_received_total', { endpoint: 'stripe', outcome: 'refused' })).toBe(2);
    expect(sample(text, 'webhooks_deliveries_refused_total', { endpoint: 'stripe', reason: 'invalid-signature' })).toBe(1);
    expect(sample(text, 'webhooks_deliveries_refused_total', { endpoint: 'stripe', reason: 'missing-header' })).toBe(1);
    // Every reason's series exists from the start, at 0.
    expect(sample(text, 'webhooks_deliveries_refused_total', { endpoint: 'stripe', reason: 'timestamp-out-of-tolerance' })).toBe(0);
    expect(sample(text, 'webhooks_acknowledgement_duration_seconds_count', { endpoint: 'stripe', outcome: 'stored' })).toBe(2);
    expect(sample(text, 'webhooks_acknowledgement_duration_seconds_count', { endpoint: 'stripe', outcome: 'duplicate' })).toBe(1);
    expect(sample(text, 'webhooks_acknowledgement_duration_seconds_bucket', { endpoint: 'stripe', outcome: 'stored', le: '+Inf' })).toBe(2);
    expect(text).toContain('# TYPE webhooks_acknowledgement_duration_seconds histogram');
  });

  it('reads the backlog, the statuses and the age of the oldest delivery from the inbox at each scrape', async () => {
    clock.advance(30_000);
    const text = await scrape();
    expect(sample(text, 'webhooks_backlog')).toBe(2);
    expect(sample(text, 'webhooks_inbox_deliveries', { status: 'pending' })).toBe(2);
    expect(sample(text, 'webhooks_inbox_deliveries', { status: 'processed' })).toBe(0);
    expect(sample(text, 'webhooks_oldest_unprocessed_age_seconds')).toBe(30);
    expect(sample(text, 'webhooks_inbox_reachable')).toBe(1);
  });

  it('counts handler runs and failures by handler, retries and dead letters by endpoint', async () => {
    expect(await app().deliveries.runOnce()).toMatchObject({ processed: 1, retried: 1 });
    clock.advance(60_000);
    expect(await app().deliveries.runOnce()).toMatchObject({ dead: 1 });

    const text = await scrape();
    expect(sample(text, 'webhooks_deliveries_processed_total', { endpoint: 'stripe' })).toBe(1);
    expect(sample(text, 'webhooks_retries_total', { endpoint: 'stripe' })).toBe(1);
    expect(sample(text, 'webhooks_dead_letters_total', { endpoint: 'stripe' })).toBe(1);
    expect(sample(text, 'webhooks_handler_runs_total', { handler: 'book-seat', outcome: 'succeeded' })).toBe(1);
    expect(sample(text, 'webhooks_handler_runs_total', { handler: 'book-seat', outcome: 'failed' })).toBe(2);
    // A retry runs only the handlers that failed: send-receipt ran once per delivery.
    expect(sample(text, 'webhooks_handler_runs_total', { handler: 'send-receipt', outcome: 'succeeded' })).toBe(2);
    expect(sample(text, 'webhooks_handler_runs_total', { handler: 'send-receipt', outcome: 'failed' })).toBe(0);
    expect(sample(text, 'webhooks_handler_duration_seconds_count', { handler: 'book-seat', outcome: 'failed' })).toBe(2);
    expect(sample(text, 'webhooks_handler_duration_seconds_count', { handler: 'send-receipt', outcome: 'succeeded' })).toBe(2);
    expect(sample(text, 'webhooks_attempt_duration_seconds_count', { endpoint: 'stripe', outcome: 'processed' })).toBe(1);
    expect(sample(text, 'webhooks_attempt_duration_seconds_count', { endpoint: 'stripe', outcome: 'retry-scheduled' })).toBe(1);
    expect(sample(text, 'webhooks_attempt_duration_seconds_count', { endpoint: 'stripe', outcome: 'dead-lettered' })).toBe(1);
    expect(sample(text, 'webhooks_backlog')).toBe(0);
    expect(sample(text, 'webhooks_inbox_deliveries', { status: 'processed' })).toBe(1);
    expect(sample(text, 'webhooks_inbox_deliveries', { status: 'dead' })).toBe(1);
    expect(sample(text, 'webhooks_oldest_unprocessed_age_seconds')).toBe(0);
  });

  it('still answers while the inbox is gone: the counters stay, the inbox gauges are unknown', async () => {
    await app().get(DataSource).destroy();
    const text = await scrape();
    expect(sample(text, 'webhooks_inbox_reachable')).toBe(0);
    expect(sample(text, 'webhooks_backlog')).toBeNaN();
    expect(sample(text, 'webhooks_oldest_unprocessed_age_seconds')).toBeNaN();
    expect(sample(text, 'webhooks_inbox_deliveries', { status: 'dead' })).toBeUndefined();
    expect(sample(text, 'webhooks_deliveries_received_total', { endpoint: 'stripe', outcome: 'stored' })).toBe(2);
  });
});

describe('Metrics of the demo: GET /metrics', () => {
  let demo: DemoHarness;

  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(async () => {
    await demo?.close();
  });

  it("serves the library's webhooks_* metrics and Node's process metrics", async () => {
    const signed = signStripe({ payload: { ...checkoutCompleted('DEMO-METRICS'), id: 'evt_demo_metrics' }, secret: SECRETS.STRIPE_WEBHOOK_SECRET.split(',')[0] });
    expect((await demo.deliver('/webhooks/stripe', signed)).status).toBe(200);
    const forged = signStripe({ payload: { ...checkoutCompleted('DEMO-FORGED'), id: 'evt_demo_forged' }, secret: 'whsec_test_not_the_demo_secret' });
    expect((await demo.deliver('/webhooks/stripe', forged)).status).toBe(401);

    const response = await request(demo.url).get('/metrics');
    expect(response.status).toBe(200);
    expect(sample(response.text, 'webhooks_deliveries_received_total', { endpoint: 'stripe', outcome: 'stored' })).toBe(1);
    expect(sample(response.text, 'webhooks_deliveries_refused_total', { endpoint: 'stripe', reason: 'invalid-signature' })).toBe(1);
    expect(sample(response.text, 'webhooks_backlog')).toBe(1);
    expect(sample(response.text, 'webhooks_inbox_reachable')).toBe(1);
    expect(response.text).toContain('# TYPE process_cpu_user_seconds_total counter');
  });
});
