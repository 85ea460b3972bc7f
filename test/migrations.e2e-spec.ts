import { DataSource, type DataSourceOptions } from 'typeorm';
import { WEBHOOK_MIGRATIONS, WebhookMigrator } from 'nestjs-payment-webhooks';
import { createTestDatabase, type TestDatabase } from './support/test-database';

const NAMES = WEBHOOK_MIGRATIONS.map((Migration) => new Migration().name ?? Migration.name);
const TABLES = ['webhook_deliveries', 'webhook_handler_runs', 'webhook_schema_migrations'];

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
