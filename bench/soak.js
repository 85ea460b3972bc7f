'use strict';
// `npm run soak`: SOAK_COUNT unique Stripe checkouts (default 1 000 000) sent through the demo at a steady
// SOAK_RATE per second (evenly spaced), on PostgreSQL (default) or SQLite (SOAK_DB=sqlite). Every delivery
// pays its own PENDING registration, seeded beforehand, so the demo does its full work on each one. Every
// SOAK_COUNT/SOAK_SAMPLES deliveries it samples the demo's resident memory (RSS), the inbox's size on disk
// per delivery, the backlog and the acknowledgement latency; at the end it waits for the backlog, checks
// that every 2xx'd delivery made its registration PAID and ran exactly once, and prints the samples, an
// ASCII plot of RSS, and whether RSS after warm-up (the first sample) stayed within ±10 %.
// See bench/README.md.

const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { choiceFromEnv, fmt, gitCommit, intFromEnv, log, percentile, sleep, table } = require('./common');
const { rssBytes } = require('./cpu');
const { PostgresDatabase, dropDatabases, recreateDatabases, removeSqliteFiles } = require('./databases');
const { openLoop } = require('./load');
const { buildDemoIfNeeded, stopAllChildren } = require('./processes');
const { StripeEvents } = require('./stripe-events');
const { backlog, handled, notOnce, postgresLayout, prepareRegistrations, sqliteLayout, startTargets } = require('./targets');

const config = {
  count: intFromEnv('SOAK_COUNT', 1_000_000, 1000, 100_000_000),
  rate: intFromEnv('SOAK_RATE', 200, 1, 100_000), // what the demo handled, not only acknowledged, on 2 cores
  samples: intFromEnv('SOAK_SAMPLES', 10, 2, 1000),
  connections: intFromEnv('SOAK_CONNECTIONS', 50, 1, 1000),
  drainSeconds: intFromEnv('SOAK_DRAIN_SECONDS', 1800, 10, 86_400),
  database: choiceFromEnv('SOAK_DB', 'postgres', ['postgres', 'sqlite']),
  adminUrl: process.env.BENCH_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/test',
  databaseName: process.env.SOAK_DATABASE || 'webhooks_soak',
  keepDatabase: process.env.SOAK_KEEP_DB === '1',
};
if (!/^[a-z_][a-z0-9_]*$/.test(config.databaseName)) throw new Error('SOAK_DATABASE must be a plain lower-case identifier.');

const SECRET = `whsec_soak_${randomBytes(16).toString('hex')}`;
const SQLITE_DIR = path.join(os.tmpdir(), `webhooks-soak-${randomBytes(4).toString('hex')}`);
const events = new StripeEvents(SECRET);
const every = Math.ceil(config.count / config.samples);
const failures = [];
let target;
let cleaningUp;

function fail(message) {
  failures.push(message);
  log(`!!! ${message}`);
}

/**
 * With autovacuum off, the bench vacuums the inbox as autovacuum would: in the background, throttled with
 * autovacuum's default cost settings, while the load goes on (one at a time, from its own connection).
 */
function backgroundVacuum(database) {
  let running;
  let enabled;
  let connection;
  return {
    async start() {
      if (database.kind !== 'postgres') return;
      enabled = (await database.scalar('SHOW autovacuum')) !== 'on';
      if (!enabled) return;
      connection = await new PostgresDatabase(database.url, 'vacuum').open();
      await connection.query('SET vacuum_cost_delay = 2');
      await connection.query('SET vacuum_cost_limit = 200');
    },
    kick() {
      if (!enabled || running) return;
      running = connection.query('VACUUM (ANALYZE) webhook_deliveries, webhook_delivery_payloads, webhook_handler_runs, registrations').finally(() => (running = undefined));
      running.catch((error) => log(`vacuum: ${error.message}`));
    },
    async stop() {
      await running?.catch(() => {});
      await connection?.close();
    },
    get enabled() {
      return enabled;
    },
  };
}

/** RSS of the demo read every second; `take()` answers the lowest and highest since the last call. */
function rssWatch(pid) {
  let low = Infinity;
  let high = -Infinity;
  const read = () => {
    const rss = rssBytes(pid);
    low = Math.min(low, rss);
    high = Math.max(high, rss);
    return rss;
  };
  const timer = setInterval(read, 1000);
  timer.unref();
  return {
    take() {
      const now = read();
      const window = { now, low, high };
      low = Infinity;
      high = -Infinity;
      return window;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * The demo's slowest statement in progress, sampled every 250 ms from a connection of its own (PostgreSQL):
 * `take()` answers the longest seen since the last call and what it was waiting on, so an interval's
 * latency tail can be told apart: a commit waiting on the disk (`WALSync`), a read (`DataFileRead`), a lock.
 */
function statementWatch(database) {
  let connection;
  let timer;
  let slowest = { ms: 0, wait: '' };
  const read = async () => {
    const [row] = await connection.query(
      `SELECT coalesce(wait_event, 'cpu') AS wait, extract(epoch FROM now() - query_start) * 1000 AS ms FROM pg_stat_activity
       WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() AND query NOT LIKE 'VACUUM%'
       ORDER BY query_start LIMIT 1`,
    );
    if (row && Number(row.ms) > slowest.ms) slowest = { ms: Number(row.ms), wait: row.wait };
  };
  return {
    async start() {
      if (database.kind !== 'postgres') return;
      connection = await new PostgresDatabase(database.url, 'statement watch').open();
      let reading = false;
      timer = setInterval(() => {
        if (reading) return;
        reading = true;
        read().catch(() => {}).finally(() => (reading = false));
      }, 250);
      timer.unref();
    },
    take() {
      const seen = slowest;
      slowest = { ms: 0, wait: '' };
      return connection ? seen : undefined;
    },
    async stop() {
      clearInterval(timer);
      await connection?.close();
    },
  };
}

let rss;
let statements;

async function sample(delivered, started, interval) {
  const inboxBytes = await target.database.webhookTableBytes();
  const waiting = await backlog(target);
  interval.sort((a, b) => a - b);
  const memory = rss.take();
  const slowest = statements.take();
  return {
    slowest,
    delivered,
    seconds: (Date.now() - started) / 1000,
    rss: memory.now,
    rssLow: memory.low,
    rssHigh: memory.high,
    inboxBytes,
    bytesPerDelivery: delivered > 0 ? inboxBytes / delivered : NaN,
    backlog: waiting,
    p50: percentile(interval, 50),
    p99: percentile(interval, 99),
  };
}

function mib(bytes) {
  return fmt(bytes / 2 ** 20, 1);
}

/** RSS against deliveries sent, one column per sample: each interval's peak (*) and trough (o), `height` rows. */
function plot(samples, height = 12) {
  const highs = samples.map((s) => s.rssHigh / 2 ** 20);
  const lows = samples.map((s) => s.rssLow / 2 ** 20);
  const bottom = Math.min(...lows);
  const top = Math.max(...highs);
  const span = top - bottom || 1;
  const width = 7;
  const rowOf = (value) => Math.round(((value - bottom) / span) * (height - 1));
  const lines = [];
  for (let row = height - 1; row >= 0; row--) {
    const level = bottom + (span * row) / (height - 1);
    const cells = samples.map((_, i) => (rowOf(highs[i]) === row ? '*' : rowOf(lows[i]) === row ? 'o' : row === 0 ? '_' : ' ').padStart(width));
    lines.push(`${fmt(level, 0).padStart(6)} MiB |${cells.join('')}`);
  }
  lines.push(`${''.padStart(10)} +${''.padStart(samples.length * width, '-')}`);
  const label = (s) => s.label || (s.delivered >= 1000 ? `${Math.round(s.delivered / 1000)}k` : String(s.delivered));
  lines.push(`${''.padStart(11)}${samples.map((s) => label(s).padStart(width)).join('')}   deliveries sent`);
  lines.push(`${''.padStart(11)}* highest and o lowest RSS read (every second) in the interval ending there`);
  return lines.join('\n');
}

async function main() {
  const started = Date.now();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`\n${signal}: stopping`);
      cleanup().finally(() => process.exit(130));
    });
  }
  log('nestjs-payment-webhooks soak');
  const demoEntry = buildDemoIfNeeded();
  log(`commit ${gitCommit()}; Node ${process.version}; ${os.cpus().length} cores`);
  const layout = config.database === 'postgres' ? postgresLayout(config.adminUrl, config.databaseName) : sqliteLayout(SQLITE_DIR);
  if (config.database === 'postgres') await recreateDatabases(config.adminUrl, [config.databaseName]);
  else fs.mkdirSync(SQLITE_DIR, { recursive: true });
  [target] = await startTargets(['demo'], layout, { secret: SECRET, demoEntry });
  log(`demo on ${config.database === 'postgres' ? `PostgreSQL (${config.databaseName})` : `SQLite (${target.database.file})`}, ${target.url}${target.path}, pid ${target.child.pid}`);
  log(`soak: ${config.count} deliveries at ${config.rate}/s (≈${fmt(config.count / config.rate / 60, 1)} min), evenly spaced over ${config.connections} keep-alive connections; a sample every ${every}`);

  const seedStarted = Date.now();
  const range = events.reserve(config.count);
  await prepareRegistrations(target, events, range);
  log(`seeded ${config.count} PENDING registrations in ${fmt((Date.now() - seedStarted) / 1000, 1)} s`);
  const vacuum = backgroundVacuum(target.database);
  await vacuum.start();
  if (vacuum.enabled) {
    await target.database.query('VACUUM (ANALYZE) registrations');
    log('autovacuum is off on this server: the soak vacuums the inbox in the background at every sample, throttled as autovacuum is');
  }

  rss = rssWatch(target.child.pid);
  statements = statementWatch(target.database);
  await statements.start();
  const samples = [await sample(0, Date.now(), [])];
  const loadStarted = Date.now();
  let interval = [];
  let pending = Promise.resolve();
  const printRow = (s) => log(`  ${String(s.delivered).padStart(9)} delivered  ${fmt(s.seconds, 0).padStart(5)} s  RSS ${mib(s.rssLow)}–${mib(s.rssHigh)} MiB  inbox ${mib(s.inboxBytes).padStart(8)} MiB` +
    ` (${fmt(s.bytesPerDelivery, 0)} B/delivery)  backlog ${String(s.backlog).padStart(7)}  ack p50 ${fmt(s.p50, 1)} ms, p99 ${fmt(s.p99, 1)} ms` +
    (s.slowest ? `  slowest statement ${fmt(s.slowest.ms, 0)} ms (${s.slowest.wait || '-'})` : ''));
  printRow(samples[0]);
  const result = await openLoop({
    url: target.url,
    path: target.path,
    amount: config.count,
    rate: config.rate,
    connections: config.connections,
    limitMs: (config.count / config.rate) * 4000 + 60_000,
    // Signed when sent: a soak outlasts Stripe's five-minute timestamp tolerance.
    event: (i) => events.signed(range.start + i),
    onAnswer: (answered, status, ms) => {
      if (status >= 200 && status < 300) interval.push(ms);
      if (answered % every !== 0 && answered !== config.count) return;
      const latencies = interval;
      interval = [];
      pending = pending.then(async () => {
        const s = await sample(answered, loadStarted, latencies);
        samples.push(s);
        printRow(s);
        vacuum.kick();
      });
    },
  });
  await pending;
  const loadSeconds = Number(result.lastAnswer - result.started) / 1e9;
  log(`load over: ${result.ok} answered 2xx in ${fmt(loadSeconds, 0)} s (${fmt(result.ok / loadSeconds, 0)}/s), ${result.non2xx} non-2xx, ${result.errors} socket errors; ` +
    `load generator up to ${fmt(result.lagMs.max, 0)} ms late (p99 ${fmt(result.lagMs.p99, 0)} ms)`);
  if (result.stoppedByGuard) fail('the load did not finish in time');
  if (result.non2xx > 0 || result.errors > 0) fail(`${result.non2xx} non-2xx answers (${JSON.stringify(result.statuses)}), ${result.errors} socket errors`);

  // The backlog, then the checks.
  const drainStarted = Date.now();
  let left = await backlog(target);
  while (left > 0 && Date.now() - drainStarted < config.drainSeconds * 1000) {
    await sleep(1000);
    left = await backlog(target);
  }
  const drainSeconds = (Date.now() - drainStarted) / 1000;
  await vacuum.stop();
  await statements.stop();
  const paid = await handled(target);
  const stored = Number(await target.database.scalar('SELECT count(*) FROM webhook_deliveries'));
  const once = await notOnce(target);
  const final = await sample(result.ok, loadStarted, []);
  final.label = 'end';
  log(`drained ${fmt(drainSeconds, 0)} s after the load; ${stored} deliveries stored, ${paid} registrations PAID, ` +
    `${once.deliveries} deliveries and ${once.runs} handler runs not processed exactly once`);
  if (left > 0) fail(`${left} deliveries still unprocessed ${config.drainSeconds} s after the load (SOAK_DRAIN_SECONDS)`);
  if (stored !== result.ok) fail(`MISMATCH: ${stored} deliveries stored for ${result.ok} answered 2xx`);
  if (paid !== result.ok) fail(`${result.ok - paid} of ${result.ok} acknowledged deliveries did not make their registration PAID (lost)`);
  if (once.deliveries > 0 || once.runs > 0) fail('some deliveries were not processed exactly once');

  log(`\n== soak: ${result.ok} deliveries at ${config.rate}/s through the demo on ${config.database}, ${fmt((Date.now() - started) / 60000, 1)} min in all`);
  rss.stop();
  const rows = [...samples, final].map((s) => [
    s.label || String(s.delivered),
    fmt(s.seconds, 0),
    mib(s.rssLow),
    mib(s.rssHigh),
    mib(s.inboxBytes),
    fmt(s.bytesPerDelivery, 0),
    String(s.backlog),
    fmt(s.p50, 1),
    fmt(s.p99, 1),
    ...(s.slowest ? [s.slowest.wait ? `${fmt(s.slowest.ms, 0)} ${s.slowest.wait}` : '-'] : []),
  ]);
  const slowestColumn = config.database === 'postgres' ? ['slowest statement ms'] : [];
  log(table(['delivered', 's', 'RSS low MiB', 'RSS high MiB', 'inbox MiB', 'inbox B/delivery', 'backlog', 'ack p50 ms', 'ack p99 ms', ...slowestColumn], rows));
  log('');
  const loaded = samples.slice(1);
  log(plot([...samples, final]));
  // Warm-up: the first sample's worth of deliveries. Flat: every later interval's peak within ±10 % of the
  // first one's, while the load ran (the drain's sample may hold a single reading).
  const afterWarmUp = loaded;
  const base = afterWarmUp[0].rssHigh;
  const high = Math.max(...afterWarmUp.map((s) => s.rssHigh));
  const low = Math.min(...afterWarmUp.map((s) => s.rssHigh));
  const flat = high <= base * 1.1 && low >= base * 0.9;
  log(`\nRSS peak in the first ${afterWarmUp[0].delivered} deliveries (warm-up): ${mib(base)} MiB; later peaks between ${mib(low)} and ${mib(high)} MiB ` +
    `(${fmt(((low - base) / base) * 100, 1)} % to +${fmt(((high - base) / base) * 100, 1)} %): ${flat ? 'FLAT within ±10 %' : 'NOT flat within ±10 %'}; ` +
    `troughs ${mib(Math.min(...afterWarmUp.map((s) => s.rssLow)))}–${mib(Math.max(...afterWarmUp.map((s) => s.rssLow)))} MiB`);
  const growth = loaded.length >= 2 ? loaded[loaded.length - 1].backlog - loaded[0].backlog : 0;
  if (growth > config.rate * 10) {
    log(`the backlog grew by ${growth} over the soak: the demo does not handle ${config.rate}/s on this machine; it was handled during the ${fmt(drainSeconds, 0)} s drain. Try a lower SOAK_RATE.`);
  }
  if (!flat) fail('RSS after warm-up did not stay within ±10 %');
}

async function cleanup() {
  if (cleaningUp) return cleaningUp;
  cleaningUp = (async () => {
    await stopAllChildren();
    await target?.database.close();
    if (!config.keepDatabase) {
      if (config.database === 'postgres') await dropDatabases(config.adminUrl, [config.databaseName]).catch((error) => failures.push(`could not drop ${config.databaseName}: ${error.message}`));
      else {
        for (const file of fs.existsSync(SQLITE_DIR) ? fs.readdirSync(SQLITE_DIR) : []) removeSqliteFiles(path.join(SQLITE_DIR, file));
        fs.rmSync(SQLITE_DIR, { recursive: true, force: true });
      }
    }
  })();
  return cleaningUp;
}

main()
  .catch((error) => {
    failures.push(error.message);
    log(`\n!!! ${error.stack || error}`);
  })
  .then(cleanup)
  .then(() => {
    if (failures.length > 0) {
      log(`\nFAILED (${failures.length}):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
      process.exit(1);
    }
    log('\nok');
    process.exit(0);
  });
