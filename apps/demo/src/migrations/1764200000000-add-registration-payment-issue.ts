import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** A payment that did not match the registration (provider, amount, currency), kept for a person to refund. */
export class AddRegistrationPaymentIssue1764200000000 implements MigrationInterface {
  name = 'AddRegistrationPaymentIssue1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('registrations', new TableColumn({ name: 'payment_issue', type: 'text', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('registrations', 'payment_issue');
  }
}
