import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Moves each delivery's raw body and headers into `webhook_delivery_payloads`, one row per delivery,
 * written once. The worker rewrites a delivery's row at every claim and outcome: without the payload
 * in it, that row is a few hundred bytes instead of kilobytes, and so is what PostgreSQL writes to its
 * WAL at each update.
 */
export class SeparateWebhookPayloads1765000000000 implements MigrationInterface {
  name = 'SeparateWebhookPayloads1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'webhook_delivery_payloads',
        columns: [
          { name: 'delivery_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'raw_body', type: 'text' },
          // JSON of the request headers, credentials removed.
          { name: 'headers', type: 'text' },
        ],
        foreignKeys: [{ columnNames: ['delivery_id'], referencedTableName: 'webhook_deliveries', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
    );
    // Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): TypeORM's dropColumn rebuilds a SQLite table, and
    // dropping the old one would cascade to webhook_handler_runs.
    await statements(queryRunner, [
      'INSERT INTO webhook_delivery_payloads (delivery_id, raw_body, headers) SELECT id, raw_body, headers FROM webhook_deliveries',
      'ALTER TABLE webhook_deliveries DROP COLUMN raw_body',
      'ALTER TABLE webhook_deliveries DROP COLUMN headers',
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await statements(queryRunner, [
      "ALTER TABLE webhook_deliveries ADD COLUMN raw_body text NOT NULL DEFAULT ''",
      "ALTER TABLE webhook_deliveries ADD COLUMN headers text NOT NULL DEFAULT '{}'",
      // UPDATE … FROM: PostgreSQL, and SQLite ≥ 3.33.
      'UPDATE webhook_deliveries SET raw_body = p.raw_body, headers = p.headers FROM webhook_delivery_payloads p WHERE p.delivery_id = webhook_deliveries.id',
    ]);
    await queryRunner.dropTable('webhook_delivery_payloads');
  }
}

/**
 * Runs SQL the schema builder has no call for the way its own calls run: recorded instead of executed
 * while the migrator prints the schema's SQL (`WebhookMigrator.sql()`, TypeORM's SQL memory).
 */
function statements(queryRunner: QueryRunner, sql: string[]): Promise<void> {
  // BaseQueryRunner.executeQueries (TypeORM 0.3 and 1.x) is what every schema-builder call ends in.
  const runner = queryRunner as unknown as { executeQueries(up: unknown[], down: unknown[]): Promise<void> };
  return runner.executeQueries(sql.map((query) => ({ query, parameters: [] })), []);
}
