import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The inbox: one row per delivery, one per (delivery, handler) outcome. Portable across SQLite and PostgreSQL. */
export class CreateWebhookInbox1764000000000 implements MigrationInterface {
  name = 'CreateWebhookInbox1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'provider', type: 'varchar', length: '100' },
          { name: 'event_id', type: 'varchar', length: '255' },
          { name: 'type', type: 'varchar', length: '255' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'integer', default: 0 },
          // Times are epoch milliseconds from the module's clock, never the database's.
          { name: 'next_attempt_at', type: 'bigint', isNullable: true },
          { name: 'lease_owner', type: 'varchar', length: '128', isNullable: true },
          { name: 'lease_expires_at', type: 'bigint', isNullable: true },
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'raw_body', type: 'text' },
          { name: 'headers', type: 'text' },
          { name: 'payment_type', type: 'varchar', length: '32', isNullable: true },
          { name: 'reference', type: 'varchar', length: '500', isNullable: true },
          { name: 'received_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
          { name: 'processed_at', type: 'bigint', isNullable: true },
        ],
        uniques: [{ name: 'uq_webhook_deliveries_provider_event', columnNames: ['provider', 'event_id'] }],
        // Partial indexes keep the worker's two claim queries an index range scan however large the table grows.
        indices: [
          { name: 'ix_webhook_deliveries_due', columnNames: ['next_attempt_at'], where: `status IN ('pending', 'failed')` },
          { name: 'ix_webhook_deliveries_leased', columnNames: ['lease_expires_at'], where: `status = 'processing'` },
          { name: 'ix_webhook_deliveries_reference', columnNames: ['reference'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_handler_runs',
        columns: [
          { name: 'delivery_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'handler', type: 'varchar', length: '255', isPrimary: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'integer', default: 1 },
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'updated_at', type: 'bigint' },
        ],
        foreignKeys: [{ columnNames: ['delivery_id'], referencedTableName: 'webhook_deliveries', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('webhook_handler_runs');
    await queryRunner.dropTable('webhook_deliveries');
  }
}
