import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** What reconciliation last concluded about a registration, and when it may ask again. */
export class AddRegistrationReconciliation1764300000000 implements MigrationInterface {
  name = 'AddRegistrationReconciliation1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('registrations', [
      new TableColumn({ name: 'reconcile_checked_at', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'reconcile_outcome', type: 'varchar', length: '16', isNullable: true }),
      new TableColumn({ name: 'reconcile_detail', type: 'varchar', length: '500', isNullable: true }),
      new TableColumn({ name: 'reconcile_checks', type: 'integer', default: 0 }),
      new TableColumn({ name: 'reconcile_next_at', type: 'bigint', isNullable: true }),
    ]);
    // Each round looks for old PENDING registrations, oldest first.
    await queryRunner.createIndex('registrations', new TableIndex({ name: 'IDX_registrations_status_created', columnNames: ['status', 'created_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('registrations', 'IDX_registrations_status_created');
    await queryRunner.dropColumns('registrations', ['reconcile_checked_at', 'reconcile_outcome', 'reconcile_detail', 'reconcile_checks', 'reconcile_next_at']);
  }
}
