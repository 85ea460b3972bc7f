'use strict';
// The receivers the bench drives, on PostgreSQL or SQLite, each started as a child process on a free port:
//
//   demo     the demo app (apps/demo, built): the library's endpoint plus its worker running the demo's
//            handlers (PENDING → PAID); acknowledges first, handles in the background
//   e2e      hand-written end-to-end baseline: verify + (dedupe + the demo's update) in one transaction, then 200
//            (handwritten-demo-receiver.js on PostgreSQL, handwritten-sqlite-receiver.js on SQLite)
//   ingress, ingress-fastify
//            the library alone with its worker off (library-app.ts) on Express / Fastify: acknowledgement only
//   floor, floor-fastify
//            an empty Nest route at the same path on Express / Fastify (library-app.ts with FLOOR=1): no
//            verification, no store, the receipt's shape answered at once; the ceiling of anything inside
//            Nest's pipeline on this machine (PostgreSQL runs only: it touches no database)
//   store    hand-written store-only baseline: verify + one INSERT, then 200 (handwritten-receiver.js on
//            PostgreSQL, handwritten-sqlite-receiver.js with HANDLE=0 on SQLite)
//
// A target also knows how to count, in its own database, what it acknowledged (rows), what it handled
// (PAID registrations) and, for the demo, what is still waiting and whether anything ran twice.

const path = require('node:path');
const { ROOT } = require('./common');
const { childEnv, freePort, libraryAppCommand, startChild, waitUntilAnswering } = require('./processes');
const { PostgresDatabase, SqliteDatabase, createDemoSchema, createSaleEvent, databaseUrl, seedRegistrations } = require('./databases');

const TARGET_NAMES = ['demo', 'e2e', 'ingress', 'ingress-fastify', 'floor', 'floor-fastify', 'store'];
const FLOORS = ['floor', 'floor-fastify'];
const SHORT = { demo: 'demo', e2e: 'hand-written e2e', ingress: 'lib express', 'ingress-fastify': 'lib fastify', floor: 'nest floor express', 'floor-fastify': 'nest floor fastify', store: 'hand-written store' };

/**
 * Where each target keeps its data. PostgreSQL: the demo and the store-only receiver share `base` (their
 * tables differ); the others get their own database, so the demo's worker never claims their deliveries
 * and registrations are counted per target. SQLite: one file each, in `dir`.
 */
function postgresLayout(adminUrl, base) {
  const names = { demo: base, store: base, e2e: `${base}_handwritten`, ingress: `${base}_ingress`, 'ingress-fastify': `${base}_ingress_fastify`, floor: `${base}_ingress`, 'floor-fastify': `${base}_ingress_fastify` };
  return {
    kind: 'postgres',
    databases: [...new Set(Object.values(names))],
    database: (target) => new PostgresDatabase(databaseUrl(adminUrl, names[target]), names[target]),
  };
}

function sqliteLayout(dir) {
  const files = { demo: 'demo.sqlite', store: 'handwritten-store.sqlite', e2e: 'handwritten.sqlite', ingress: 'ingress.sqlite', 'ingress-fastify': 'ingress-fastify.sqlite' };
  return {
    kind: 'sqlite',
    files: Object.values(files).map((file) => path.join(dir, file)),
    database: (target) => new SqliteDatabase(path.join(dir, files[target]), files[target]),
  };
}

/** Every target of `names`, started together; each answers its health route before this returns. */
async function startTargets(names, layout, options) {
  return Promise.all(names.map((name) => startTarget(name, layout.database(name), options)));
}

async function startTarget(name, database, { secret, demoEntry, libraryAppEntry, probe }) {
  const port = await freePort();
  const dbEnv = database.kind === 'postgres' ? { DATABASE_URL: database.url } : { SQLITE_PATH: database.file };
  const common = { PORT: String(port), STRIPE_WEBHOOK_SECRET: secret, ...dbEnv };
  const target = {
    name,
    short: SHORT[name],
    dbKind: database.kind,
    database,
    port,
    url: `http://127.0.0.1:${port}`,
    path: '/webhooks/stripe',
    handles: name === 'demo' || name === 'e2e',
    hasWorker: name === 'demo',
    floor: FLOORS.includes(name),
    ackTable: { demo: 'webhook_deliveries', ingress: 'webhook_deliveries', 'ingress-fastify': 'webhook_deliveries', e2e: 'handwritten_processed_events', store: 'handwritten_stripe_events' }[name],
  };
  target.vacuumTables = target.floor ? [] : target.hasWorker ? ['webhook_deliveries', 'webhook_delivery_payloads', 'webhook_handler_runs', 'registrations'] : target.handles ? [target.ackTable, 'registrations'] : [target.ackTable];

  if (name === 'e2e') await createDemoSchema(database); // the demo creates its own at start
  let args;
  let env = common;
  let startupMs = 30000;
  if (name === 'demo') {
    // NODE_ENV=production would make the demo refuse to apply its migrations on a fresh database. It logs as
    // shipped (a JSON line per delivery processed, at its default LOG_LEVEL); its stdout is discarded.
    args = [...(probe ? ['-r', path.join(__dirname, 'demo-probe.js')] : []), demoEntry];
    env = { ...common, NODE_ENV: 'development' };
    startupMs = 90000;
  } else if (name.startsWith('ingress') || target.floor) {
    const command = libraryAppCommand(libraryAppEntry);
    args = command.args;
    env = { ...common, ...command.env, PLATFORM: name.endsWith('fastify') ? 'fastify' : 'express', FLOOR: target.floor ? '1' : '' };
  } else if (database.kind === 'postgres') {
    args = [path.join(__dirname, name === 'e2e' ? 'handwritten-demo-receiver.js' : 'handwritten-receiver.js')];
  } else {
    args = [path.join(__dirname, 'handwritten-sqlite-receiver.js')];
    env = { ...common, HANDLE: name === 'e2e' ? '1' : '0' };
  }
  target.child = startChild(`${SHORT[name]} (${database.kind})`, args, childEnv(env));
  await waitUntilAnswering(target.child, `${target.url}/health`, startupMs);
  await database.open();
  return target;
}

const count = (target, sql) => target.database.scalar(sql).then(Number);

/** Rows stored in the target's acknowledgement table (a floor stores nothing: the requests it answered). */
async function acked(target) {
  if (target.floor) return (await (await fetch(`${target.url}/received`)).json()).count;
  return count(target, `SELECT count(*) FROM ${target.ackTable}`);
}

/**
 * Registrations of the current phase's sale the target has made PAID: the handler's effect, committed.
 * Through the event_id index, so sampling it often costs the database little however large the table grows.
 */
function handled(target) {
  return target.handles ? count(target, `SELECT count(*) FROM registrations WHERE event_id = '${target.eventId}' AND status = 'PAID'`) : Promise.resolve(NaN);
}

/** Demo only: deliveries stored but not processed (nor dead) yet; two counts, each on its partial index. */
function backlog(target) {
  if (!target.hasWorker) return Promise.resolve(0);
  return count(target, `SELECT (SELECT count(*) FROM webhook_deliveries WHERE status IN ('pending', 'failed')) + (SELECT count(*) FROM webhook_deliveries WHERE status = 'processing')`);
}

/**
 * Demo only: deliveries not processed exactly once (more than one attempt, or not 'processed') and handler
 * runs not recorded exactly once as succeeded, over everything stored so far.
 */
async function notOnce(target) {
  if (!target.hasWorker) return undefined;
  return {
    deliveries: await count(target, `SELECT count(*) FROM webhook_deliveries WHERE attempts <> 1 OR status <> 'processed'`),
    runs: await count(target, `SELECT count(*) FROM webhook_handler_runs WHERE attempts <> 1 OR status <> 'succeeded'`),
  };
}

/** Before sending events `range` to a handling target: a new sale, and the PENDING registrations they pay. */
async function prepareRegistrations(target, events, range) {
  if (!target.handles) return;
  target.eventId = await createSaleEvent(target.database);
  await seedRegistrations(target.database, target.eventId, events.referencePrefix, range);
}

module.exports = { FLOORS, TARGET_NAMES, SHORT, acked, backlog, handled, notOnce, postgresLayout, prepareRegistrations, sqliteLayout, startTargets };
