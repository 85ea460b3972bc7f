import { DataSource, type DataSourceOptions } from 'typeorm';
import { TypeOrmInboxStore, WebhookMigrator } from 'nestjs-payment-webhooks';
import { inboxStoreContract } from 'nestjs-payment-webhooks/testing';
import { createTestDatabase } from './support/test-database';

const kind = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite';

// Every case gets a database of its own, migrated by the library's migrator, as an app would be.
async function freshStore() {
  const database = await createTestDatabase();
  const dataSource = new DataSource(database.options as DataSourceOptions);
  try {
    await dataSource.initialize();
    await new WebhookMigrator(dataSource).migrate();
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
    throw error;
  }
  return {
    store: new TypeOrmInboxStore(dataSource),
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

describe(`TypeOrmInboxStore on ${kind}: inbox store contract`, () => {
  for (const contractCase of inboxStoreContract(freshStore)) {
    it(contractCase.name, () => contractCase.run());
  }
});
