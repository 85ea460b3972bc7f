import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { DemoConfig } from '../demo.config';
import { EventEntity } from '../events/event.entity';
import { DEMO_MIGRATIONS } from '../migrations';
import { RegistrationEntity } from '../registrations/registration.entity';

/**
 * A database that hangs must not hold connections forever: connecting and every query are bounded on
 * the client (node-postgres), and statements on the server. The webhook library bounds its own
 * acknowledgement writes as well (`storeTimeoutMs`); these cover the demo's queries and the worker.
 */
const POSTGRES_TIMEOUTS = { connectionTimeoutMillis: 5_000, query_timeout: 15_000, statement_timeout: 15_000 };

/** The connection from the config plus the demo's entities; its migrations run at start, never `synchronize`. */
export function typeOrmOptions(config: DemoConfig): TypeOrmModuleOptions {
  const database = config.database;
  if (database.type === 'better-sqlite3' && typeof database.database === 'string' && database.database !== ':memory:') {
    // A fresh checkout has no ./data folder yet.
    mkdirSync(dirname(database.database), { recursive: true });
  }
  return {
    ...database,
    ...(database.type === 'postgres' ? { extra: { ...POSTGRES_TIMEOUTS, ...database.extra } } : {}),
    entities: [EventEntity, RegistrationEntity],
    migrations: DEMO_MIGRATIONS,
    migrationsTableName: 'demo_migrations',
    migrationsRun: true,
    synchronize: false,
    logging: false,
  };
}
