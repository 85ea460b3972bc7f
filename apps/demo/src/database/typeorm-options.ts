import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { DemoConfig } from '../demo.config';
import { EventEntity } from '../events/event.entity';
import { DEMO_MIGRATIONS } from '../migrations';
import { RegistrationEntity } from '../registrations/registration.entity';

/** The connection from the config plus the demo's entities; its migrations run at start, never `synchronize`. */
export function typeOrmOptions(config: DemoConfig): TypeOrmModuleOptions {
  const database = config.database;
  if (database.type === 'better-sqlite3' && typeof database.database === 'string' && database.database !== ':memory:') {
    // A fresh checkout has no ./data folder yet.
    mkdirSync(dirname(database.database), { recursive: true });
  }
  return {
    ...database,
    entities: [EventEntity, RegistrationEntity],
    migrations: DEMO_MIGRATIONS,
    migrationsTableName: 'demo_migrations',
    migrationsRun: true,
    synchronize: false,
    logging: false,
  };
}
