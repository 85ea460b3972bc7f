'use strict';
// The bench's view of each target's database, PostgreSQL or a SQLite file, through one small interface
// (query with `?` placeholders, scalar, close), plus what the bench writes itself: the demo's schema for
// the hand-written receivers (the demo's own compiled migrations), the sale's event and its PENDING
// registrations, seeded in bulk before each phase.

const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const { Client } = require('pg');
const { DEMO_MIGRATIONS } = require('./processes');
const { PRICE_MINOR, CURRENCY } = require('./stripe-events');

/** Tables of the library's inbox, for sizes. */
const WEBHOOK_TABLES = ['webhook_deliveries', 'webhook_delivery_payloads', 'webhook_handler_runs'];
/** An event's capacity is a 32-bit integer column; a sale this size never runs out of seats. */
const CAPACITY = 2_000_000_000;

function databaseUrl(adminUrl, name) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin(adminUrl, work) {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 10000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function dropDatabases(adminUrl, names) {
  await withAdmin(adminUrl, async (client) => {
    for (const name of names) {
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } catch {
        await client.query(`DROP DATABASE IF EXISTS ${name}`); // PostgreSQL < 13
      }
    }
  });
}

async function recreateDatabases(adminUrl, names) {
  await dropDatabases(adminUrl, names);
  await withAdmin(adminUrl, async (client) => {
    for (const name of names) await client.query(`CREATE DATABASE ${name}`);
  });
}

class PostgresDatabase {
  constructor(url, label) {
    this.kind = 'postgres';
    this.url = url;
    this.label = label;
  }

  async open() {
    this.client = new Client({ connectionString: this.url, connectionTimeoutMillis: 10000 });
    await this.client.connect();
    return this;
  }

  async query(sql, params = []) {
    let index = 0;
    const { rows } = await this.client.query(sql.replace(/\?/g, () => `$${++index}`), params);
    return rows;
  }

  async scalar(sql, params) {
    const [row] = await this.query(sql, params);
    return row ? Object.values(row)[0] : undefined;
  }

  /** Bytes of the inbox tables with their indexes and TOAST. */
  async webhookTableBytes() {
    return Number(await this.scalar(`SELECT ${WEBHOOK_TABLES.map((t) => `pg_total_relation_size('${t}')`).join(' + ')}`));
  }

  async close() {
    await this.client?.end().catch(() => {});
  }
}

class SqliteDatabase {
  constructor(file, label) {
    this.kind = 'sqlite';
    this.file = file;
    this.label = label;
  }

  async open() {
    const Database = require('better-sqlite3');
    // The target has the file open too (WAL): the bench reads beside it and seeds between phases.
    this.db = new Database(this.file, { timeout: 10000 });
    return this;
  }

  async query(sql, params = []) {
    const statement = this.db.prepare(sql);
    return statement.reader ? statement.all(...params) : (statement.run(...params), []);
  }

  async scalar(sql, params) {
    const [row] = await this.query(sql, params);
    return row ? Object.values(row)[0] : undefined;
  }

  async webhookTableBytes() {
    return Number(await this.scalar(
      `SELECT SUM(d.pgsize) FROM dbstat d JOIN sqlite_master m ON m.name = d.name WHERE m.tbl_name IN (${WEBHOOK_TABLES.map(() => '?').join(', ')})`,
      WEBHOOK_TABLES,
    ));
  }

  async close() {
    this.db?.close();
  }
}

/** Removes a SQLite file and its WAL companions. */
function removeSqliteFiles(file) {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
}

/** The demo's tables in a fresh database, through the demo's own compiled migrations (what the demo runs at start). */
async function createDemoSchema(target) {
  const { DataSource } = require('typeorm');
  const { DEMO_MIGRATIONS: migrations } = require(DEMO_MIGRATIONS);
  const options = target.kind === 'postgres'
    ? { type: 'postgres', url: target.url }
    : { type: 'better-sqlite3', database: target.file, enableWAL: true };
  const dataSource = new DataSource({ ...options, migrations, migrationsTableName: 'demo_migrations', logging: false });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
  } finally {
    await dataSource.destroy();
  }
}

/** The sale: one event, priced like the bench's checkouts, with seats for everyone. */
async function createSaleEvent(database) {
  const id = randomUUID();
  await database.query(
    'INSERT INTO events (id, title, capacity, seats_left, price_minor, currency, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [id, 'Flash sale (bench)', CAPACITY, CAPACITY, PRICE_MINOR, CURRENCY, Date.now()],
  );
  return id;
}

/**
 * PENDING registrations for event numbers `range` (reference `prefix` + number, provider "stripe"), each
 * holding a seat, as `POST /events/:id/registrations` leaves them. In bulk: 100 000 take about a second.
 */
async function seedRegistrations(database, eventId, prefix, range, chunk = 100_000) {
  const now = Date.now();
  for (let start = range.start; start < range.start + range.count; start += chunk) {
    const count = Math.min(chunk, range.start + range.count - start);
    if (database.kind === 'postgres') {
      await database.query(
        `INSERT INTO registrations (id, event_id, email, provider, phone, status, reference, created_at, updated_at)
         SELECT gen_random_uuid()::text, ?, 'buyer-' || i || '@example.com', 'stripe', NULL, 'PENDING', ?::text || i, ?, ?
         FROM generate_series(?::bigint, ?::bigint) AS i`,
        [eventId, prefix, now, now, start, start + count - 1],
      );
      await database.query('UPDATE events SET seats_left = seats_left - ? WHERE id = ?', [count, eventId]);
    } else {
      const insert = database.db.prepare(
        `INSERT INTO registrations (id, event_id, email, provider, phone, status, reference, created_at, updated_at)
         VALUES (?, ?, ?, 'stripe', NULL, 'PENDING', ?, ?, ?)`,
      );
      const seats = database.db.prepare('UPDATE events SET seats_left = seats_left - ? WHERE id = ?');
      database.db.transaction(() => {
        for (let n = start; n < start + count; n++) insert.run(randomUUID(), eventId, `buyer-${n}@example.com`, `${prefix}${n}`, now, now);
        seats.run(count, eventId);
      })();
    }
  }
}

module.exports = {
  PostgresDatabase,
  SqliteDatabase,
  createDemoSchema,
  createSaleEvent,
  databaseUrl,
  dropDatabases,
  recreateDatabases,
  removeSqliteFiles,
  seedRegistrations,
};
