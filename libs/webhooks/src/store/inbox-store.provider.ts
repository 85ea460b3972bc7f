import { Logger, type FactoryProvider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { WEBHOOK_DATA_SOURCE, WEBHOOK_INBOX_STORE, WEBHOOKS_CONFIG } from '../webhooks.constants';
import type { WebhooksConfig } from '../webhooks.options';
import type { WebhookInboxStore } from './inbox-store.interface';
import { TypeOrmInboxStore } from './typeorm-inbox.store';
import { WebhookMigrator } from './webhook-migrator';

/** The configured store, or the TypeORM inbox on the app's data source, migrated or checked first. */
export const inboxStoreProvider: FactoryProvider<WebhookInboxStore> = {
  provide: WEBHOOK_INBOX_STORE,
  inject: [WEBHOOKS_CONFIG, WEBHOOK_DATA_SOURCE],
  useFactory: async (config: WebhooksConfig, dataSource: DataSource | null) => {
    if (config.store) return config.store;
    if (!dataSource) {
      throw new Error(
        'WebhooksModule stores deliveries through TypeORM but found no data source: import TypeOrmModule.forRoot({ type: ' +
          "'better-sqlite3' | 'postgres', … }) in the app (or name it with the dataSource extra), or pass your own store.",
      );
    }
    const logger = new Logger('Webhooks');
    const migrator = new WebhookMigrator(dataSource);
    if (dataSource.options.type === 'postgres') await assertReadCommitted(dataSource);
    if (config.migrationsRun) {
      const applied = await migrator.migrate();
      if (applied.length) logger.log(`Applied webhook migrations: ${applied.join(', ')}`);
    } else {
      const { pending } = await migrator.status();
      if (pending.length) {
        throw new Error(
          `The webhook inbox schema is behind (pending: ${pending.join(', ')}). Run "npx nestjs-payment-webhooks migrate" ` +
            `(or apply "npx nestjs-payment-webhooks sql" with your migration tool), or set migrationsRun: true.`,
        );
      }
    }
    return new TypeOrmInboxStore(dataSource);
  },
};

// Claims rely on READ COMMITTED: under a stricter default they would fail with serialization errors.
async function assertReadCommitted(dataSource: DataSource): Promise<void> {
  const rows: Array<{ default_transaction_isolation: string }> = await dataSource.query('SHOW default_transaction_isolation');
  const level = rows[0]?.default_transaction_isolation;
  if (level && level !== 'read committed' && level !== 'read uncommitted') {
    throw new Error(
      `PostgreSQL default_transaction_isolation is "${level}"; the webhook inbox needs "read committed". ` +
        `Run ALTER DATABASE <db> SET default_transaction_isolation TO 'read committed', or set it on the connection.`,
    );
  }
}
