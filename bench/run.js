'use strict';
// `npm run bench`: webhooks acknowledged AND handled per second, on PostgreSQL and on SQLite, in one run.
// Targets (bench/targets.js): the demo app (library + worker + the demo's handlers), a hand-written
// end-to-end receiver doing the demo's work inline, the library's request path alone on Express and Fastify,
// and a hand-written store-only receiver. Every request is a unique, correctly signed Stripe
// checkout.session.completed that pays one distinct PENDING registration, seeded beforehand.
// Phases, the targets taking turns: warm-up, a fixed rate (evenly spaced), saturation. After each phase the
// bench waits until the demo's backlog is handled, then checks rows = 2xx, PAID = 2xx (nothing lost) and,
// for the demo, that every delivery and handler run happened exactly once. Prints one results table.
// See bench/README.md. Plain CommonJS so it starts without a compiler.

const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { choiceFromEnv, fmt, gitCommit, intFromEnv, log, percentile, sleep, table } = require('./common');
const { cpuDelta, cpuSnapshot } = require('./cpu');
const { dropDatabases, recreateDatabases, removeSqliteFiles } = require('./databases');
const { closedLoop, openLoop } = require('./load');
const { buildDemoIfNeeded, buildLibraryAppIfNeeded, stopAllChildren, stopChild } = require('./processes');
const { StripeEvents } = require('./stripe-events');
const { FLOORS, SHORT, TARGET_NAMES, acked, backlog, handled, notOnce, postgresLayout, prepareRegistrations, sqliteLayout, startTargets } = require('./targets');

// ---------------------------------------------------------------------------------------------- config

const config = {
  databases: { postgres: ['postgres'], sqlite: ['sqlite'], both: ['postgres', 'sqlite'] }[choiceFromEnv('BENCH_DB', 'both', ['postgres', 'sqlite', 'both'])],
  seconds: intFromEnv('BENCH_SECONDS', 10, 1, 300), // length of the fixed-rate phase and, roughly, of saturation
  rate: intFromEnv('BENCH_RATE', 0, 0, 100000), // fixed-rate phase; 0: half the hand-written e2e receiver's warm-up rate
  connections: intFromEnv('BENCH_CONNECTIONS', 50, 1, 1000),
  warmup: intFromEnv('BENCH_WARMUP', 3000, 0, 1000000), // requests, as fast as possible, before measuring
  rounds: intFromEnv('BENCH_ROUNDS', 1, 1, 10), // saturation rounds per target, alternating targets
  drainSeconds: intFromEnv('BENCH_DRAIN_SECONDS', 120, 1, 1800), // longest wait for the demo's backlog after a phase
  maxSeconds: intFromEnv('BENCH_MAX_SECONDS', 900, 30, 7200), // the whole run, whatever happens
  adminUrl: process.env.BENCH_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/test',
  database: process.env.BENCH_DATABASE || 'webhooks_bench',
  targets: (process.env.BENCH_TARGETS || TARGET_NAMES.join(',')).split(',').map((t) => t.trim()).filter(Boolean),
  keepDatabase: process.env.BENCH_KEEP_DB === '1',
  probe: process.env.BENCH_PROBE === '1', // count the demo's SQL statements and event-loop delay (demo-probe.js)
};
for (const target of config.targets) {
  if (!TARGET_NAMES.includes(target)) throw new Error(`BENCH_TARGETS: unknown target "${target}" (${TARGET_NAMES.join(', ')}).`);
}
config.targets = TARGET_NAMES.filter((name) => config.targets.includes(name));
if (!/^[a-z_][a-z0-9_]*$/.test(config.database)) throw new Error('BENCH_DATABASE must be a plain lower-case identifier.');

const SECRET = `whsec_bench_${randomBytes(16).toString('hex')}`;
const SQLITE_DIR = path.join(os.tmpdir(), `webhooks-bench-${randomBytes(4).toString('hex')}`);
const events = new StripeEvents(SECRET);
const layouts = {
  postgres: postgresLayout(config.adminUrl, config.database),
  sqlite: sqliteLayout(SQLITE_DIR),
};

// ---------------------------------------------------------------------------------------------- state

const failures = [];
const openTargets = new Set();
let cleaningUp;

function fail(message) {
  failures.push(message);
  log(`!!! ${message}`);
}

// ---------------------------------------------------------------------------------------------- phases

/**
 * A handling target's PAID count, sampled every `state.everyMs` ms (timestamps in ns, each at the middle of
 * its query) until `state.goal` (the 2xx count, set at the last answer) is handled and nothing waits in the
 * demo's inbox, or `state.deadline` passes. The backlog is counted only once the PAID count is there.
 */
function sampleHandled(target, state) {
  const samples = [];
  const reached = (s) => state.goal !== undefined && s.handled >= state.goal && s.backlog === 0;
  const done = (async () => {
    for (;;) {
      const start = process.hrtime.bigint();
      const sample = { handled: await handled(target) };
      sample.at = start + (process.hrtime.bigint() - start) / 2n;
      if (state.goal !== undefined && sample.handled >= state.goal) sample.backlog = await backlog(target); // 0 without a worker
      samples.push(sample);
      if (state.goal !== undefined && (reached(sample) || Date.now() > state.deadline)) return;
      await sleep(state.everyMs);
    }
  })();
  return { samples, done, reached };
}

/** Handled per second while the load ran: the slope of the samples taken strictly inside [from, to]. */
function slope(samples, from, to) {
  const inside = samples.filter((s) => s.at >= from && s.at <= to);
  if (inside.length < 2) return NaN;
  const first = inside[0];
  const last = inside[inside.length - 1];
  return (last.handled - first.handled) / (Number(last.at - first.at) / 1e9);
}

/** The demo's probe (BENCH_PROBE=1): a message to it, or its report of every period since the last reset. */
function probe(target, message) {
  if (!config.probe || !target.hasWorker || !target.child.connected) return Promise.resolve(undefined);
  if (message !== 'probe:report') {
    target.child.send(message);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 5000);
    target.child.once('message', (answer) => {
      clearTimeout(timer);
      resolve(answer && answer.probe);
    });
    target.child.send(message);
  });
}

/**
 * One phase on one target: seed its registrations, send `amount` requests (evenly at `rate`/s, or as fast
 * as `connections` go; for `seconds` if set, `amount` then being a cap), wait for every answer, then until
 * everything acknowledged is handled, and check.
 */
async function runPhase(target, phase) {
  const connections = Math.max(1, Math.min(config.connections, phase.amount));
  // A few spare events, for requests autocannon resends after a timeout (which fails the run anyway).
  const range = events.reserve(phase.amount + connections + 16);
  await prepareRegistrations(target, events, range);
  await vacuumIfNeeded(target);
  // Pre-signed before the clock starts (a time-bounded phase signs its expected share; any more on demand).
  const signed = events.signRange({ start: range.start, count: Math.min(range.count, phase.presign || range.count) });
  const event = (i) => (i < signed.length ? signed[i] : i < range.count ? events.signed(range.start + i) : events.signed(events.reserve(1).start));
  const ackedBefore = await acked(target);
  const walBefore = await walPosition(target);
  const state = { everyMs: 200 };
  const sampler = target.handles ? sampleHandled(target, state) : undefined;

  const expectedSeconds = phase.seconds || phase.amount / (phase.rate || phase.expectedRate || 500);
  const limitMs = Math.max(30000, expectedSeconds * 4000);
  await probe(target, 'probe:reset');
  const cpuBefore = cpuSnapshot(target.child.pid);
  let cpuAtEnd;
  const onLastAnswer = (ok) => {
    cpuAtEnd = cpuSnapshot(target.child.pid);
    void probe(target, 'probe:mark');
    // The drain is timed from here.
    state.everyMs = 100;
    state.deadline = Date.now() + config.drainSeconds * 1000;
    state.goal = ok;
  };
  const options = { url: target.url, path: target.path, amount: phase.amount, seconds: phase.seconds, connections, event, limitMs, onLastAnswer };
  const result = phase.rate ? await openLoop({ ...options, rate: phase.rate }) : await closedLoop(options);
  const cpuLoad = cpuDelta(cpuBefore, cpuAtEnd || cpuSnapshot(target.child.pid));
  const ackedRows = (await acked(target)) - ackedBefore;

  // Drain: from the last answer until every acknowledged delivery is handled (and nothing is left waiting).
  let drainSeconds = NaN;
  let left = 0;
  let handledCount = NaN;
  if (sampler) {
    if (state.goal === undefined) onLastAnswer(result.ok); // stopped by the guard
    await sampler.done;
    const last = sampler.samples[sampler.samples.length - 1];
    const drained = sampler.samples.find(sampler.reached);
    handledCount = last.handled;
    left = last.backlog ?? (await backlog(target));
    if (drained) drainSeconds = Math.max(0, Number(drained.at - result.lastAnswer) / 1e9);
  }
  const cpuAll = cpuDelta(cpuBefore, cpuSnapshot(target.child.pid));
  const walBytes = await walSince(target, walBefore);
  const probed = await probe(target, 'probe:report');

  const paced = Boolean(phase.rate);
  // A paced phase cannot end before its last request is due: its rate is counted over the nominal length.
  const seconds = paced ? Math.max(result.elapsed, phase.amount / phase.rate) : result.elapsed;
  const measured = {
    db: target.dbKind,
    target: target.name,
    short: target.short,
    phase: phase.name,
    kind: phase.kind,
    rate: phase.rate,
    connections,
    sent: phase.amount,
    elapsed: result.elapsed,
    ok: result.ok,
    ackedPerSecond: result.ok / seconds,
    handledPerSecond: sampler ? slope(sampler.samples, result.started, result.lastAnswer) : NaN,
    p50: percentile(result.latencies, 50),
    p99: percentile(result.latencies, 99),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses: result.statuses,
    lagMs: result.lagMs,
    rows: ackedRows,
    handled: handledCount,
    lost: target.handles ? Math.max(0, result.ok - handledCount) : NaN,
    drainSeconds,
    left,
    notOnce: await notOnce(target),
    cpuLoad,
    cpuAll,
    walBytes,
    probed,
  };
  if (result.stoppedByGuard) fail(`${target.short} (${target.dbKind}), ${phase.name}: did not finish ${phase.amount} requests within ${Math.round(limitMs / 1000)} s`);
  if (measured.rows !== result.ok) fail(`MISMATCH ${target.short} (${target.dbKind}), ${phase.name}: ${measured.rows} rows stored in ${target.ackTable} but ${result.ok} requests answered 2xx`);
  if (target.handles && left > 0) fail(`${target.short} (${target.dbKind}), ${phase.name}: ${left} deliveries still unprocessed ${config.drainSeconds} s after the load (BENCH_DRAIN_SECONDS)`);
  if (target.handles && handledCount !== result.ok) {
    fail(`${target.short} (${target.dbKind}), ${phase.name}: ${handledCount} registrations became PAID for ${result.ok} deliveries answered 2xx` +
      `${measured.lost > 0 ? ` (${measured.lost} lost)` : ''}`);
  }
  if (measured.notOnce && (measured.notOnce.deliveries > 0 || measured.notOnce.runs > 0)) {
    fail(`${target.short} (${target.dbKind}), ${phase.name}: ${measured.notOnce.deliveries} deliveries and ${measured.notOnce.runs} handler runs not processed exactly once`);
  }
  if (measured.non2xx > 0 || measured.errors > 0) {
    const codes = Object.entries(result.statuses).filter(([code]) => !code.startsWith('2')).map(([code, n]) => `${n}×${code}`).join(', ');
    fail(`${target.short} (${target.dbKind}), ${phase.name}: ${measured.non2xx} non-2xx answers${codes ? ` (${codes})` : ''}, ${measured.errors} socket errors (${measured.timeouts} timeouts)`);
  }
  return measured;
}

/** PostgreSQL's WAL insert position (cluster-wide: the other targets are idle meanwhile). */
function walPosition(target) {
  return target.dbKind === 'postgres' ? target.database.scalar('SELECT pg_current_wal_insert_lsn()::text') : Promise.resolve(undefined);
}

async function walSince(target, before) {
  if (before === undefined) return NaN;
  return Number(await target.database.scalar('SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), ?::pg_lsn)', [before]));
}

let autovacuum;

/**
 * With autovacuum off (as on some CI and sandbox servers), every UPDATE leaves dead rows and index entries
 * that the next queries wade through: the tables would slow down in a way no production server does. The
 * bench then vacuums the target's tables before each phase, outside the clock, as autovacuum would.
 */
async function vacuumIfNeeded(target) {
  if (target.dbKind !== 'postgres' || target.vacuumTables.length === 0) return;
  if (autovacuum === undefined) autovacuum = (await target.database.scalar('SHOW autovacuum')) === 'on';
  if (autovacuum) return;
  await target.database.query(`VACUUM (ANALYZE) ${target.vacuumTables.join(', ')}`);
}

/**
 * The fixed rate: BENCH_RATE, or half of what the hand-written e2e receiver (else the slowest target)
 * sustained at saturation in this run (median of the rounds), rounded down to 50/s.
 */
function fixedRate(targets, saturated) {
  if (config.rate > 0) return config.rate;
  const median = (rates) => [...rates].sort((a, b) => a - b)[Math.floor((rates.length - 1) / 2)];
  const baseline = targets.find((t) => t.name === 'e2e');
  const reference = baseline ? median(saturated.get(baseline)) : Math.min(...targets.map((t) => median(saturated.get(t))));
  if (!Number.isFinite(reference)) return 500;
  return Math.max(50, Math.floor((reference * 0.5) / 50) * 50);
}

/**
 * Every phase runs on each target in turn, so a change in the machine's background load during the run
 * affects all of them alike rather than one: warm-up, saturation, then the fixed rate (which is derived
 * from the saturation). A target is stopped after its last phase.
 */
async function benchTargets(targets) {
  const results = [];
  const run = async (target, phase) => {
    const measured = await runPhase(target, phase);
    printPhase(measured);
    results.push(measured);
    return measured;
  };
  const expectedRate = new Map();
  if (config.warmup > 0) {
    // Two halves: the first one warms the JIT and the pools, the second one estimates the saturation rate.
    const first = Math.max(1, Math.floor(config.warmup / 2));
    for (const [name, amount] of [['warm-up 1', first], ['warm-up 2', config.warmup - first]]) {
      if (amount <= 0) continue;
      for (const target of targets) expectedRate.set(target, (await run(target, { name, kind: 'warmup', amount })).ackedPerSecond);
    }
  }
  // Saturation lasts BENCH_SECONDS: then every connection stops once its request in flight is answered, so
  // the 2xx count stays comparable with the rows stored. Its events (and registrations) are prepared for
  // up to three times the warm-up's rate, a cap it never reaches in practice.
  const saturated = new Map();
  for (let round = 1; round <= config.rounds; round++) {
    for (const target of targets) {
      const estimate = expectedRate.get(target) || 500;
      const measured = await run(target, {
        name: config.rounds > 1 ? `saturation ${round}` : 'saturation',
        kind: 'saturation',
        seconds: config.seconds,
        amount: Math.max(config.connections * 10, Math.round(estimate * config.seconds * 3)),
        presign: Math.round(estimate * config.seconds * 1.5),
        expectedRate: estimate,
      });
      expectedRate.set(target, measured.ackedPerSecond);
      saturated.set(target, [...(saturated.get(target) || []), measured.ackedPerSecond]);
    }
  }
  const rate = fixedRate(targets, saturated);
  for (const target of targets) {
    await run(target, { name: `rate ${rate}/s`, kind: 'rate', amount: rate * config.seconds, rate });
    await stopChild(target.child);
    await target.database.close();
    openTargets.delete(target);
  }
  return results;
}

// ---------------------------------------------------------------------------------------------- output

/** CPU microseconds per webhook. */
function perWebhook(cpu, key, count) {
  return cpu && count > 0 && Number.isFinite(cpu[key]) ? fmt((cpu[key] * 1000) / count, 0) : '-';
}

const PHASE_COLUMNS = [
  ['target', 18, (m) => m.short],
  ['phase', 13, (m) => m.phase],
  ['seconds', 7, (m) => fmt(m.elapsed, 2)],
  ['2xx', 6, (m) => String(m.ok)],
  ['acked/s', 7, (m) => fmt(m.ackedPerSecond, 0)],
  ['handled/s', 9, (m) => fmt(m.handledPerSecond, 0)],
  ['p50 ms', 7, (m) => fmt(m.p50, 1)],
  ['p99 ms', 7, (m) => fmt(m.p99, 1)],
  ['errors', 6, (m) => String(m.non2xx + m.errors)],
  ['rows', 6, (m) => String(m.rows)],
  ['check', 8, (m) => (m.rows === m.ok ? 'rows=2xx' : 'MISMATCH')],
  ['drain s', 7, (m) => fmt(m.drainSeconds, 1)],
  ['lost', 4, (m) => (Number.isFinite(m.lost) ? String(m.lost) : '-')],
  ['twice', 5, (m) => (m.notOnce ? String(m.notOnce.deliveries + m.notOnce.runs) : '-')],
  ['node µs/wh', 10, (m) => perWebhook(m.cpuLoad, 'target', m.ok)],
  ['pg µs/wh', 8, (m) => (m.db === 'postgres' ? perWebhook(m.cpuLoad, 'postgres', m.ok) : '-')],
  ['load µs/wh', 10, (m) => perWebhook(m.cpuLoad, 'loadGenerator', m.ok)],
  ['WAL kB/wh', 9, (m) => (Number.isFinite(m.walBytes) && m.ok > 0 ? fmt(m.walBytes / 1024 / m.ok, 1) : '-')],
  ['other cpu%', 10, (m) => (m.cpuLoad && Number.isFinite(m.cpuLoad.other) ? fmt(m.cpuLoad.other / m.elapsed / 10, 0) : '-')],
];

let headerPrinted = false;
function printPhase(m) {
  if (!headerPrinted) {
    log(PHASE_COLUMNS.map(([title, width]) => title.padStart(width)).join(' '));
    headerPrinted = true;
  }
  log(PHASE_COLUMNS.map(([, width, value]) => value(m).padStart(width)).join(' '));
  if (m.probed) printProbe(m);
  if (m.lagMs && m.lagMs.max > 20) log(`${''.padStart(19)} └ the load generator started requests up to ${fmt(m.lagMs.max, 0)} ms late (p99 ${fmt(m.lagMs.p99, 0)} ms): the bench process was busy`);
}

/** The demo's SQL statements per acknowledged delivery, by shape, while the load ran and during the drain. */
function printProbe(m) {
  const [load, drain] = m.probed;
  if (!load) return;
  const shapes = new Map();
  for (const [period, name] of [[load, 'load'], [drain, 'drain']]) {
    for (const { sql, count, ms, p99, max } of period ? period.statements : []) {
      const entry = shapes.get(sql) || { sql, count: 0, load: { count: 0, ms: 0, p99: 0, max: 0 }, drain: { count: 0, ms: 0, p99: 0, max: 0 } };
      entry.count += count;
      entry[name].count += count;
      entry[name].ms += ms;
      entry[name].p99 = p99;
      entry[name].max = max;
      shapes.set(sql, entry);
    }
  }
  const total = [...shapes.values()].reduce((sum, s) => sum + s.count, 0);
  const mean = (p) => (p.count ? `${fmt(p.ms / p.count, 1)}/${fmt(p.p99, 1)}/${fmt(p.max, 0)}` : '-');
  const delay = (period) =>
    period
      ? `loop delay p50 ${fmt(period.loopDelayMs.p50, 1)} / p99 ${fmt(period.loopDelayMs.p99, 1)} / max ${fmt(period.loopDelayMs.max, 1)} ms, ` +
        `${period.gc.count} GC pauses (${period.gc.major} major) ${fmt(period.gc.ms, 0)} ms, longest ${fmt(period.gc.maxMs, 1)} ms`
      : '';
  log(`${''.padStart(19)} └ probe: ${fmt(total / m.ok, 2)} statements per delivery; while loaded ${delay(load)}; draining ${delay(drain)}`);
  log(`${''.padStart(21)}${'per wh'.padStart(7)} ${'loaded ms'.padStart(16)} ${'draining ms'.padStart(16)}  statement (ms: mean/p99/max)`);
  for (const s of [...shapes.values()].sort((a, b) => b.count - a.count).slice(0, 14)) {
    log(`${''.padStart(21)}${fmt(s.count / m.ok, 2).padStart(7)} ${mean(s.load).padStart(16)} ${mean(s.drain).padStart(16)}  ${s.sql}`);
  }
}

function printMachine() {
  const cpus = os.cpus();
  log(`machine:  ${cpus.length} cores (${cpus[0] ? cpus[0].model.trim() : 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`          Node ${process.version}; commit ${gitCommit()}; autocannon, the targets and the database share these cores`);
  log(`load:     ${config.connections} connections; warm-up ${config.warmup} requests; saturation ≈${config.seconds} s${config.rounds > 1 ? ` × ${config.rounds} rounds` : ''}; ` +
    `then ${config.rate ? `${config.rate}/s` : '½ × the hand-written e2e saturation rate'} for ${config.seconds} s, evenly spaced; targets take turns phase by phase`);
  log(`          each request a unique checkout.session.completed (${events.signed(0).body.length} bytes), signed as Stripe signs it, paying its own PENDING registration`);
}

async function printDatabase(kind, targets) {
  const database = targets[0].database;
  if (kind === 'postgres') {
    const setting = (name) => database.scalar(`SHOW ${name}`);
    const vacuum = await setting('autovacuum');
    log(`\n== PostgreSQL ${await setting('server_version')} on 127.0.0.1 (synchronous_commit=${await setting('synchronous_commit')}, fsync=${await setting('fsync')}, autovacuum=${vacuum})`);
    if (vacuum !== 'on') log('   autovacuum is off on this server: the bench runs VACUUM (ANALYZE) on the target\'s tables before each phase');
  } else {
    log(`\n== SQLite ${await database.scalar('SELECT sqlite_version()')} (better-sqlite3, journal_mode=${await database.scalar('PRAGMA journal_mode')}, synchronous=${await database.scalar('PRAGMA synchronous')} as better-sqlite3 opens a WAL file), files in ${SQLITE_DIR}`);
  }
  for (const target of targets) log(`   ${target.short.padEnd(18)} ${target.url}${target.path}   (${target.floor ? 'stores nothing' : `${target.database.label}: ${target.ackTable}${target.handles ? ', registrations' : ''}`})`);
  log('');
  headerPrinted = false;
}

/** Saturation rounds of one target pooled, and its fixed-rate phase. */
function summaryOf(all, db, name) {
  const saturation = all.filter((m) => m.db === db && m.target === name && m.kind === 'saturation');
  if (saturation.length === 0) return undefined;
  const fixed = all.find((m) => m.db === db && m.target === name && m.kind === 'rate');
  const sum = (key) => saturation.reduce((total, m) => total + m[key], 0);
  const median = (key) => [...saturation].map((m) => m[key]).sort((a, b) => a - b)[Math.floor((saturation.length - 1) / 2)];
  const handles = saturation[0].target === 'demo' || saturation[0].target === 'e2e';
  const phases = all.filter((m) => m.db === db && m.target === name);
  // CPU per delivery through the drain for handling targets (the whole cost of handling it), to the last answer otherwise.
  const cpuKey = handles ? 'cpuAll' : 'cpuLoad';
  const cpu = (key) => saturation.reduce((total, m) => total + (m[cpuKey] ? m[cpuKey][key] : NaN), 0);
  return {
    db,
    name,
    short: SHORT[name],
    ackedPerSecond: sum('ok') / sum('elapsed'),
    handledPerSecond: handles ? median('handledPerSecond') : NaN,
    drainSeconds: handles ? median('drainSeconds') : NaN,
    burstPerSecond: handles ? sum('ok') / (sum('elapsed') + sum('drainSeconds')) : NaN,
    lost: handles ? phases.reduce((total, m) => total + m.lost, 0) : NaN,
    notOnce: phases[phases.length - 1].notOnce,
    p99: median('p99'),
    rate: fixed ? fixed.rate : NaN,
    rateP50: fixed ? fixed.p50 : NaN,
    rateP99: fixed ? fixed.p99 : NaN,
    nodeUs: (cpu('target') * 1000) / sum('ok'),
    pgUs: db === 'postgres' ? (cpu('postgres') * 1000) / sum('ok') : NaN,
    walKiB: db === 'postgres' ? sum('walBytes') / 1024 / sum('ok') : NaN,
    // CPU taken by everything else on the machine while the target was saturated (100 = one core).
    otherCpu: saturation.reduce((total, m) => total + (m.cpuLoad ? m.cpuLoad.other : NaN), 0) / sum('elapsed') / 10,
  };
}

function ratio(value, baseline) {
  return Number.isFinite(value) && Number.isFinite(baseline) && baseline > 0 ? `${fmt(value / baseline, 2)}×` : '-';
}

function printResults(all) {
  const rows = [];
  const notes = [];
  for (const db of config.databases) {
    const summaries = TARGET_NAMES.map((name) => summaryOf(all, db, name)).filter(Boolean);
    const e2e = summaries.find((s) => s.name === 'e2e');
    const store = summaries.find((s) => s.name === 'store');
    for (const s of summaries) {
      rows.push([
        db,
        s.short,
        fmt(s.ackedPerSecond, 0),
        fmt(s.handledPerSecond, 0),
        s.name === 'demo' || s.name === 'e2e' ? ratio(s.handledPerSecond, e2e && e2e.handledPerSecond) : '-',
        fmt(s.drainSeconds, 1),
        fmt(s.burstPerSecond, 0),
        Number.isFinite(s.lost) ? String(s.lost) : '-',
        s.notOnce ? String(s.notOnce.deliveries + s.notOnce.runs) : '-',
        fmt(s.p99, 1),
        Number.isFinite(s.rate) ? String(s.rate) : '-',
        fmt(s.rateP50, 1),
        fmt(s.rateP99, 1),
        ratio(s.ackedPerSecond, store && store.ackedPerSecond),
        fmt(s.nodeUs, 0),
        fmt(s.pgUs, 0),
        fmt(s.walKiB, 1),
        fmt(s.otherCpu, 0),
      ]);
    }
    for (const [lib, floor, target] of [['ingress', 'floor', 1.6], ['ingress-fastify', 'floor-fastify', 2.3]]) {
      const [l, f] = [lib, floor].map((name) => summaries.find((s) => s.name === name));
      if (!l || !f || !store) continue;
      notes.push(`${db}: ${l.short} acknowledges ${ratio(l.ackedPerSecond, store.ackedPerSecond)} what the hand-written store receiver does (target ≥ ${target}×); ` +
        `an empty Nest route on the same platform ${ratio(f.ackedPerSecond, store.ackedPerSecond)}: the library keeps ${fmt((100 * l.ackedPerSecond) / f.ackedPerSecond, 0)} % of that ceiling`);
    }
    const demo = summaries.find((s) => s.name === 'demo');
    if (demo && e2e) {
      notes.push(`${db}: the demo handles ${ratio(demo.handledPerSecond, e2e.handledPerSecond)} what the hand-written e2e receiver does at saturation ` +
        `(target ≥ 1.5×); over the whole burst (load + drain) ${ratio(demo.burstPerSecond, e2e.burstPerSecond)}; ` +
        `its backlog was handled ${fmt(demo.drainSeconds, 1)} s after the load stopped`);
    }
  }
  log(`\n== results: saturation (${config.rounds > 1 ? `median of ${config.rounds} rounds` : `≈${config.seconds} s`}) and the fixed rate, ${config.databases.join(' and ')}, all measured in this run`);
  log(table(
    ['db', 'target', 'acked/s', 'handled/s', 'handled ×e2e', 'drain s', 'burst/s', 'lost', 'twice', 'sat p99', 'rate/s', 'p50 @rate', 'p99 @rate', 'acked ×store', 'node µs/wh', 'pg µs/wh', 'WAL kB/wh', 'other cpu%'],
    rows,
  ));
  for (const note of notes) log(note);
}

// ---------------------------------------------------------------------------------------------- main

async function prepareDatabase(kind) {
  if (kind === 'postgres') await recreateDatabases(config.adminUrl, layouts.postgres.databases);
  else {
    fs.mkdirSync(SQLITE_DIR, { recursive: true });
    for (const file of layouts.sqlite.files) removeSqliteFiles(file);
  }
}

async function cleanup() {
  if (cleaningUp) return cleaningUp;
  cleaningUp = (async () => {
    await stopAllChildren();
    for (const target of openTargets) await target.database.close();
    if (!config.keepDatabase) {
      if (config.databases.includes('postgres')) {
        await dropDatabases(config.adminUrl, layouts.postgres.databases).catch((error) => {
          failures.push(`could not drop the bench databases: ${error.message}`);
        });
      }
      fs.rmSync(SQLITE_DIR, { recursive: true, force: true });
    }
  })();
  return cleaningUp;
}

async function main() {
  const started = Date.now();
  const deadline = setTimeout(() => {
    log(`\n!!! the bench ran longer than BENCH_MAX_SECONDS=${config.maxSeconds}; stopping`);
    failures.push('time limit');
    cleanup().finally(() => process.exit(1));
  }, config.maxSeconds * 1000);
  deadline.unref();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`\n${signal}: stopping`);
      cleanup().finally(() => process.exit(130));
    });
  }

  log('nestjs-payment-webhooks benchmark');
  const demoEntry = buildDemoIfNeeded(); // also the demo's compiled migrations, for the hand-written e2e schema
  const libraryAppEntry = config.targets.some((name) => name.startsWith('ingress') || FLOORS.includes(name)) ? buildLibraryAppIfNeeded() : undefined;
  printMachine();
  const all = [];
  for (const kind of config.databases) {
    await prepareDatabase(kind);
    // A floor touches no database: once, on PostgreSQL's run, is enough.
    const names = kind === 'postgres' ? config.targets : config.targets.filter((name) => !FLOORS.includes(name));
    const targets = await startTargets(names, layouts[kind], { secret: SECRET, demoEntry, libraryAppEntry, probe: config.probe });
    for (const target of targets) openTargets.add(target);
    await printDatabase(kind, targets);
    all.push(...(await benchTargets(targets)));
  }
  printResults(all);
  log(`\nwhole run: ${fmt((Date.now() - started) / 1000, 0)} s`);
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
