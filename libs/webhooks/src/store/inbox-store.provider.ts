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
    if (dataSource.options.type === 'postgres') {
      await assertReadCommitted(dataSource);
      await warnOnClockSkew(dataSource, config, logger);
      warnOnSmallPool(dataSource, config, logger);
    }
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
    return new TypeOrmInboxStore(dataSource, { insertTimeoutMs: config.storeTimeoutMs, queueLimit: config.storeQueueLimit });
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

/**
 * Leases are times written by one instance and compared by another: an instance whose clock runs ahead
 * takes over live leases early (fencing still refuses the old owner's writes, but a handler outside
 * `ctx.transaction` may then run twice). The database's clock is the one every replica shares.
 */
async function warnOnClockSkew(dataSource: DataSource, config: WebhooksConfig, logger: Logger): Promise<void> {
  const before = config.clock().getTime();
  const rows: Array<{ now: string | number }> = await dataSource.query('SELECT EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS now');
  const after = config.clock().getTime();
  const skewMs = Math.round(Number(rows[0]?.now) - (before + after) / 2);
  const allowedMs = Math.max(1000, config.leaseMs / 6);
  if (Math.abs(skewMs) > allowedMs) {
    logger.warn(
      `This instance's clock is ${Math.abs(skewMs)} ms ${skewMs > 0 ? 'behind' : 'ahead of'} PostgreSQL's; leases expect instances to agree ` +
        `within ${allowedMs} ms (leaseMs / 6). Synchronize the clocks (NTP) or raise leaseMs.`,
    );
  }
}

/**
 * Every delivery being handled holds a connection for its transaction: with no connection to spare, an
 * acknowledgement waits for a handler to finish, and a burst times out (503) instead of being stored.
 */
function warnOnSmallPool(dataSource: DataSource, config: WebhooksConfig, logger: Logger): void {
  const options = dataSource.options as { poolSize?: number; extra?: { max?: number } };
  // node-postgres' default pool holds 10.
  const poolSize = options.extra?.max ?? options.poolSize ?? 10;
  if (config.worker && poolSize <= config.handlerConcurrency) {
    logger.warn(
      `The PostgreSQL pool holds ${poolSize} connection(s) and handlerConcurrency is ${config.handlerConcurrency}: handlers can take every connection ` +
        `and leave acknowledgements waiting. Give the data source a larger poolSize (e.g. ${config.handlerConcurrency + 8}) or lower handlerConcurrency (default: batchSize).`,
    );
  }
}
