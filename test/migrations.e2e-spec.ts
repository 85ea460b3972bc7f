import { DataSource, type DataSourceOptions, type QueryRunner } from 'typeorm';
import { TypeOrmInboxStore, WEBHOOK_ENTITIES, WEBHOOK_MIGRATIONS, WebhookMigrator } from 'nestjs-payment-webhooks';
import { createTestDatabase, type TestDatabase } from './support/test-database';

const NAMES = WEBHOOK_MIGRATIONS.map((Migration) => new Migration().name ?? Migration.name);
const TABLES = ['webhook_deliveries', 'webhook_delivery_payloads', 'webhook_handler_runs', 'webhook_schema_migrations'];

describe(`WebhookMigrator on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite'}`, () => {
  let database: TestDatabase;
  const dataSources: DataSource[] = [];

  const connect = async () => {
    const dataSource = new DataSource(database.options as DataSourceOptions);
    dataSources.push(dataSource);
    return dataSource.initialize();
  };

  beforeEach(async () => {
    database = await createTestDatabase();
  });

  afterEach(async () => {
    for (const dataSource of dataSources.splice(0)) if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
  });

  it('migrating twice applies once: status goes from pending to none', async () => {
    const migrator = new WebhookMigrator(await connect());
    expect(await migrator.status()).toEqual({ applied: [], pending: NAMES });

    expect(await migrator.migrate()).toEqual(NAMES);
    expect(await migrator.migrate()).toEqual([]);
    expect(await migrator.status()).toEqual({ applied: NAMES, pending: [] });
  });

  it('sql() returns the CREATE TABLE statements without touching the database', async () => {
    const dataSource = await connect();
    const migrator = new WebhookMigrator(dataSource);
    const statements = await migrator.sql();

    for (const table of TABLES) {
      expect(statements.filter((sql) => new RegExp(`^CREATE TABLE "?${table}"?`, 'i').test(sql))).toHaveLength(1);
    }
    expect(statements.some((sql) => /^CREATE INDEX "?ix_webhook_deliveries_due"?/i.test(sql))).toBe(true);
    // The versions row too, so a schema set up from this SQL counts as migrated.
    for (const name of NAMES) expect(statements.some((sql) => /^INSERT INTO "?webhook_schema_migrations"?/i.test(sql) && sql.includes(`'${name}'`))).toBe(true);
    expect(await migrator.status()).toEqual({ applied: [], pending: NAMES });
    const runner = dataSource.createQueryRunner();
    try {
      for (const table of TABLES) expect(await runner.hasTable(table)).toBe(false);
    } finally {
      await runner.release();
    }
  });

  it('sql() prints the same statements once the schema is migrated', async () => {
    const migrator = new WebhookMigrator(await connect());
    const before = await migrator.sql();
    await migrator.migrate();
    const after = await migrator.sql();
    const withoutTimes = (statements: string[]) => statements.map((sql) => sql.replace(/, \d+\)$/, ', <time>)'));
    expect(withoutTimes(after)).toEqual(withoutTimes(before));
    expect(await migrator.status()).toEqual({ applied: NAMES, pending: [] });
  });

  it('an inbox of the first schema keeps its bodies, headers and handler outcomes when the payloads move out (and back)', async () => {
    const dataSource = await connect();
    const [first, separate] = WEBHOOK_MIGRATIONS;
    await new WebhookMigrator(dataSource, [first]).migrate();
    const p = (index: number) => (dataSource.options.type === 'postgres' ? `$${index}` : '?');
    const id = '11111111-1111-4111-8111-111111111111';
    const body = '{"id":"evt_old","note":"é \\u00e9"}';
    await dataSource.query(
      `INSERT INTO webhook_deliveries (id, provider, event_id, type, status, attempts, raw_body, headers, received_at, updated_at, processed_at)
       VALUES (${p(1)}, 'stripe', 'evt_old', 'checkout.session.completed', 'processed', 1, ${p(2)}, '{"stripe-signature":"[redacted]"}', 1, 1, 1)`,
      [id, body],
    );
    await dataSource.query(`INSERT INTO webhook_handler_runs (delivery_id, handler, status, attempts, updated_at) VALUES (${p(1)}, 'Orders.paid', 'succeeded', 1, 1)`, [id]);

    expect(await new WebhookMigrator(dataSource).migrate()).toEqual([NAMES[1]]);
    const stored = await new TypeOrmInboxStore(dataSource).get(id);
    expect(stored).toMatchObject({ rawBody: body, headers: { 'stripe-signature': '[redacted]' }, status: 'processed', handlers: [expect.objectContaining({ handler: 'Orders.paid', status: 'succeeded' })] });
    const withRunner = async <T>(work: (runner: QueryRunner) => Promise<T>) => {
      const runner = dataSource.createQueryRunner();
      try {
        return await work(runner);
      } finally {
        await runner.release();
      }
    };
    const columns = () => withRunner(async (runner) => (await runner.getTable('webhook_deliveries'))!.columns.map((column) => column.name));
    expect(await columns()).not.toContain('raw_body');

    await withRunner((runner) => new separate().down(runner));
    expect(await columns()).toContain('raw_body');
    const [row] = await dataSource.query(`SELECT raw_body, headers FROM webhook_deliveries WHERE id = ${p(1)}`, [id]);
    expect(row).toEqual({ raw_body: body, headers: '{"stripe-signature":"[redacted]"}' });
    expect(await dataSource.query('SELECT handler FROM webhook_handler_runs')).toEqual([{ handler: 'Orders.paid' }]);
  });

  it("WEBHOOK_MIGRATIONS run by TypeORM's own migration runner, in a team's data source, give the same working inbox", async () => {
    const dataSource = new DataSource({ ...(database.options as DataSourceOptions), entities: WEBHOOK_ENTITIES, migrations: WEBHOOK_MIGRATIONS, migrationsTableName: 'app_migrations' });
    dataSources.push(dataSource);
    await dataSource.initialize();

    expect((await dataSource.runMigrations()).map((migration) => migration.name)).toEqual(NAMES);
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
    const store = new TypeOrmInboxStore(dataSource);
    const receivedAt = new Date('2026-12-03T12:00:00.000Z');
    const { id } = await store.insertOrFind({ provider: 'stripe', eventId: 'evt_team', type: 'checkout.session.completed', rawBody: '{"id":"evt_team"}', headers: { a: 'b' }, receivedAt });
    expect(await store.get(id)).toMatchObject({ rawBody: '{"id":"evt_team"}', headers: { a: 'b' }, status: 'pending' });
  });

  const onPostgres = process.env.TEST_DATABASE_URL ? it : it.skip;
  onPostgres('three instances migrating one fresh schema at once apply it once, without error (advisory lock)', async () => {
    const migrators = await Promise.all([connect(), connect(), connect()]).then((sources) => sources.map((source) => new WebhookMigrator(source)));
    const applied = await Promise.all(migrators.map((migrator) => migrator.migrate()));

    expect(applied.filter((names) => names.length > 0)).toEqual([NAMES]);
    expect(applied.filter((names) => names.length === 0)).toHaveLength(2);
    for (const migrator of migrators) expect(await migrator.status()).toEqual({ applied: NAMES, pending: [] });
    const rows = await dataSources[0].query('SELECT name FROM webhook_schema_migrations');
    expect(rows.map((row: { name: string }) => row.name)).toEqual(NAMES);
  });
});
