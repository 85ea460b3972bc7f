import { DataSource } from 'typeorm';
import { stripe } from 'nestjs-payment-webhooks';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { startWebhookApp, type WebhookApp } from './support/webhook-app';

const providers = () => [stripe({ secrets: ['whsec_test_schema'] })];
const onPostgres = process.env.TEST_DATABASE_URL ? it : it.skip;

describe('Schema checks at start-up', () => {
  let database: TestDatabase;
  beforeEach(async () => (database = await createTestDatabase()));
  afterEach(async () => database.drop());

  const startError = async (start: () => Promise<WebhookApp>) => {
    try {
      await (await start()).close();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('the application started');
  };

  it('with migrationsRun off, a schema that is behind stops the start and names the command', async () => {
    const message = await startError(() => startWebhookApp({ platform: 'express', database, webhooks: { endpoints: providers(), migrationsRun: false } }));
    expect(message).toContain('The webhook inbox schema is behind (pending: CreateWebhookInbox1764000000000, SeparateWebhookPayloads1765000000000)');
    expect(message).toContain('npx nestjs-payment-webhooks migrate');
  });

  it('NODE_ENV=production does not migrate by default', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      expect(await startError(() => startWebhookApp({ platform: 'express', database, webhooks: { endpoints: providers() } }))).toContain('schema is behind');
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it('a migrated schema starts with migrationsRun off', async () => {
    const migrated = await startWebhookApp({ platform: 'express', database, webhooks: { endpoints: providers(), worker: false } });
    await migrated.close();
    const app = await startWebhookApp({ platform: 'express', database, webhooks: { endpoints: providers(), migrationsRun: false, worker: false } });
    await app.close();
  });

  onPostgres('refuses a PostgreSQL default isolation stricter than READ COMMITTED, saying how to fix it', async () => {
    const extra = database.options.extra as { options: string };
    const strict = { ...database, options: { ...database.options, extra: { ...extra, options: `${extra.options} -c default_transaction_isolation=serializable` } } } as TestDatabase;
    const message = await startError(() => startWebhookApp({ platform: 'express', database: strict, webhooks: { endpoints: providers() } }));
    expect(message).toContain('default_transaction_isolation is "serializable"');
    expect(message).toContain("SET default_transaction_isolation TO 'read committed'");
  });

  onPostgres('three instances starting together on an empty schema migrate once', async () => {
    const apps = await Promise.all([1, 2, 3].map(() => startWebhookApp({ platform: 'express', database, webhooks: { endpoints: providers(), worker: false } })));
    const db = apps[0].get(DataSource);
    expect(await db.query('SELECT name FROM webhook_schema_migrations ORDER BY name')).toEqual([{ name: 'CreateWebhookInbox1764000000000' }, { name: 'SeparateWebhookPayloads1765000000000' }]);
    await Promise.all(apps.map((app) => app.close()));
  });

  onPostgres("warns at start when this instance's clock is off PostgreSQL's by more than leaseMs / 6", async () => {
    const warnings: string[] = [];
    const logger = { log() {}, error() {}, debug() {}, verbose() {}, warn: (message: unknown) => warnings.push(String(message)) };
    const start = (offsetMs: number) =>
      startWebhookApp({ platform: 'express', database, logger, webhooks: { endpoints: providers(), worker: false, leaseMs: 15_000, clock: () => new Date(Date.now() + offsetMs) } });
    await (await start(0)).close();
    expect(warnings.filter((line) => line.includes('clock'))).toEqual([]);
    await (await start(-60_000)).close();
    expect(warnings.filter((line) => line.includes('clock'))).toEqual([
      expect.stringMatching(/^This instance's clock is 6\d{4} ms behind PostgreSQL's; leases expect instances to agree within 2500 ms/),
    ]);
  });

  onPostgres('warns at start when the worker can take every connection of the pool', async () => {
    const warnings: string[] = [];
    const logger = { log() {}, error() {}, debug() {}, verbose() {}, warn: (message: unknown) => warnings.push(String(message)) };
    const start = (options: { batchSize: number; handlerConcurrency?: number }) =>
      startWebhookApp({ platform: 'express', database, logger, webhooks: { endpoints: providers(), ...options } });
    await (await start({ batchSize: 5 })).close();
    // Many deliveries in flight, few handler calls at once (batch handlers): no connection shortage.
    await (await start({ batchSize: 100, handlerConcurrency: 4 })).close();
    expect(warnings.filter((line) => line.includes('pool'))).toEqual([]);
    await (await start({ batchSize: 10 })).close();
    expect(warnings.filter((line) => line.includes('pool'))).toEqual([
      'The PostgreSQL pool holds 10 connection(s) and handlerConcurrency is 10: handlers can take every connection and leave acknowledgements waiting. ' +
        'Give the data source a larger poolSize (e.g. 18) or lower handlerConcurrency (default: batchSize).',
    ]);
  });
});
