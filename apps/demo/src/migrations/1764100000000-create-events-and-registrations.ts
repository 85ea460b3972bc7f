import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The demo's own tables, written with the schema builder so one migration fits SQLite and PostgreSQL. */
export class CreateEventsAndRegistrations1764100000000 implements MigrationInterface {
  name = 'CreateEventsAndRegistrations1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'events',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'capacity', type: 'integer' },
          { name: 'seats_left', type: 'integer' },
          { name: 'price_minor', type: 'bigint' },
          { name: 'currency', type: 'varchar', length: '5' },
          { name: 'created_at', type: 'bigint' },
        ],
        // The last guard on seats: a bug in the conditional updates fails loudly instead of overbooking.
        checks: [{ name: 'CHK_events_seats_left', expression: 'seats_left >= 0 AND seats_left <= capacity' }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'registrations',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'event_id', type: 'varchar', length: '36' },
          { name: 'email', type: 'varchar', length: '254' },
          { name: 'provider', type: 'varchar', length: '64' },
          { name: 'phone', type: 'varchar', length: '20', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'reference', type: 'varchar', length: '40' },
          { name: 'payment_transaction_id', type: 'varchar', length: '255', isNullable: true },
          { name: 'mvola_server_correlation_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
          { name: 'paid_at', type: 'bigint', isNullable: true },
        ],
        checks: [{ name: 'CHK_registrations_status', expression: "status IN ('PENDING', 'PAID', 'FAILED', 'EXPIRED', 'REFUNDED')" }],
        foreignKeys: [
          new TableForeignKey({ name: 'FK_registrations_event', columnNames: ['event_id'], referencedTableName: 'events', referencedColumnNames: ['id'] }),
        ],
        indices: [
          new TableIndex({ name: 'UQ_registrations_reference', columnNames: ['reference'], isUnique: true }),
          new TableIndex({ name: 'IDX_registrations_event', columnNames: ['event_id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('registrations');
    await queryRunner.dropTable('events');
  }
}
