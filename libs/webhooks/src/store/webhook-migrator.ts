import { Table, type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { WEBHOOK_MIGRATIONS } from './migrations';

const VERSIONS_TABLE = 'webhook_schema_migrations';
// Arbitrary constant: one advisory lock key for every instance of this library on a database.
const ADVISORY_LOCK_KEY = 7_305_019_442;

export interface SchemaStatus {
  applied: string[];
  pending: string[];
}

/**
 * Applies the library's own migrations, tracked in their own table so they never mix with the
 * application's. On PostgreSQL an advisory lock makes instances that start together migrate once.
 */
export class WebhookMigrator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly migrations: ReadonlyArray<new () => MigrationInterface> = WEBHOOK_MIGRATIONS,
  ) {}

  async status(): Promise<SchemaStatus> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const applied = await this.appliedNames(runner);
      return { applied, pending: this.names().filter((name) => !applied.includes(name)) };
    } finally {
      await runner.release();
    }
  }

  /** Applies what is pending in one transaction; returns the names applied. */
  async migrate(): Promise<string[]> {
    const runner = this.dataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      if (this.isPostgres()) await runner.query(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`);
      await this.ensureVersionsTable(runner);
      const applied = await this.appliedNames(runner);
      const done: string[] = [];
      for (const Migration of this.migrations) {
        const migration = new Migration();
        const name = nameOf(migration);
        if (applied.includes(name)) continue;
        await migration.up(runner);
        await runner.query(`INSERT INTO ${VERSIONS_TABLE} (name, applied_at) VALUES (${this.param(1)}, ${this.param(2)})`, [name, Date.now()]);
        done.push(name);
      }
      await runner.commitTransaction();
      return done;
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** The SQL that `migrate` would run on an empty schema, for teams that run their own migration tool. */
  async sql(): Promise<string[]> {
    const runner = this.dataSource.createQueryRunner();
    // Schema-builder calls are recorded instead of executed; the bookkeeping INSERTs are written out by hand.
    runner.enableSqlMemory();
    try {
      await this.ensureVersionsTable(runner, true);
      const bookkeeping: string[] = [];
      for (const Migration of this.migrations) {
        const migration = new Migration();
        await migration.up(runner);
        bookkeeping.push(`INSERT INTO ${VERSIONS_TABLE} (name, applied_at) VALUES ('${nameOf(migration)}', ${Date.now()})`);
      }
      return [...runner.getMemorySql().upQueries.map((query) => query.query), ...bookkeeping];
    } finally {
      runner.disableSqlMemory();
      await runner.release();
    }
  }

  private names(): string[] {
    return this.migrations.map((Migration) => nameOf(new Migration()));
  }

  private async appliedNames(runner: QueryRunner): Promise<string[]> {
    if (!(await runner.hasTable(VERSIONS_TABLE))) return [];
    const rows: Array<{ name: string }> = await runner.query(`SELECT name FROM ${VERSIONS_TABLE}`);
    return rows.map((row) => row.name);
  }

  private async ensureVersionsTable(runner: QueryRunner, force = false): Promise<void> {
    if (!force && (await runner.hasTable(VERSIONS_TABLE))) return;
    await runner.createTable(
      new Table({
        name: VERSIONS_TABLE,
        columns: [
          { name: 'name', type: 'varchar', length: '255', isPrimary: true },
          { name: 'applied_at', type: 'bigint' },
        ],
      }),
      // Printing (force) must not ask the database: with "if not exists" TypeORM checks and, on a
      // migrated schema, would leave the CREATE TABLE out of the SQL.
      !force,
    );
  }

  private isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  private param(index: number): string {
    return this.isPostgres() ? `$${index}` : '?';
  }
}

function nameOf(migration: MigrationInterface): string {
  return migration.name ?? migration.constructor.name;
}
