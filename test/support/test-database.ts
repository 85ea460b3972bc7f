import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface TestDatabase {
  /** 'sqlite' in every run; 'postgres' when TEST_DATABASE_URL is set (CI). */
  kind: 'sqlite' | 'postgres';
  /** Options for TypeOrmModule.forRoot; every app given them shares one database. */
  options: TypeOrmModuleOptions;
  drop(): Promise<void>;
}

/** A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const file = join(tmpdir(), `webhooks-test-${randomUUID()}.sqlite`);
    return {
      kind: 'sqlite',
      options: { type: 'better-sqlite3', database: file, enableWAL: true, timeout: 10_000 } as TypeOrmModuleOptions,
      drop: async () => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      },
    };
  }
  const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new DataSource({ type: 'postgres', url });
  await admin.initialize();
  await admin.query(`CREATE SCHEMA ${schema}`);
  return {
    kind: 'postgres',
    options: { type: 'postgres', url, schema, extra: { options: `-c search_path=${schema}`, max: 10, idleTimeoutMillis: 500 } },
    drop: async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.destroy();
    },
  };
}
