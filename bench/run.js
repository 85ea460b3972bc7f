'use strict';
// `npm run bench`: the demo app (the library on PostgreSQL, worker and handlers running), the library alone
// with its worker off (bench/library-app.ts), and a hand-written Express + constructEvent + pg receiver
// (bench/handwritten-receiver.js), driven by autocannon with unique, correctly signed Stripe events: warm-up,
// fixed rate, then saturation, the targets taking turns. Prints webhooks/s, acknowledgement latency, non-2xx,
// rows stored (which must equal the 2xx count) and CPU per webhook. See bench/README.md.
// Plain CommonJS so it starts without a compiler.

const { spawn, spawnSync, execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { Client } = require('pg');
const Stripe = require('stripe');

const ROOT = path.resolve(__dirname, '..');

// ---------------------------------------------------------------------------------------------- config

function intFromEnv(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}".`);
  }
  return value;
}

const config = {
  seconds: intFromEnv('BENCH_SECONDS', 10, 1, 300), // length of each measured phase
  rate: intFromEnv('BENCH_RATE', 500, 1, 100000), // fixed-rate phase, requests per second (all connections)
  connections: intFromEnv('BENCH_CONNECTIONS', 50, 1, 1000),
  warmup: intFromEnv('BENCH_WARMUP', 3000, 0, 1000000), // requests, as fast as possible, before measuring
  rounds: intFromEnv('BENCH_ROUNDS', 1, 1, 10), // saturation rounds per target, alternating targets
  drainSeconds: intFromEnv('BENCH_DRAIN_SECONDS', 30, 0, 600), // wait for the demo's worker between phases
  maxSeconds: intFromEnv('BENCH_MAX_SECONDS', 600, 30, 3600), // the whole run, whatever happens
  adminUrl: process.env.BENCH_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/test',
  database: process.env.BENCH_DATABASE || 'webhooks_bench',
  targets: (process.env.BENCH_TARGETS || 'library,ingress,ingress-fastify,handwritten').split(',').map((t) => t.trim()).filter(Boolean),
  keepDatabase: process.env.BENCH_KEEP_DB === '1',
};
const TARGET_NAMES = ['library', 'ingress', 'ingress-fastify', 'handwritten'];
for (const target of config.targets) {
  if (!TARGET_NAMES.includes(target)) throw new Error(`BENCH_TARGETS: unknown target "${target}" (${TARGET_NAMES.join(', ')}).`);
}
if (!/^[a-z_][a-z0-9_]*$/.test(config.database)) throw new Error('BENCH_DATABASE must be a plain lower-case identifier.');

const SECRET = `whsec_bench_${randomBytes(16).toString('hex')}`;
const RUN_TAG = randomBytes(4).toString('hex');
// The demo and the hand-written receiver share the bench database (their tables differ); the library
// without its worker gets its own, so the demo's worker never claims its deliveries.
const DATABASES = [config.database, `${config.database}_ingress`, `${config.database}_ingress_fastify`];
function databaseUrl(name) {
  const url = new URL(config.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

// ---------------------------------------------------------------------------------------------- state

const children = new Set();
const failures = [];
const clients = new Map(); // database name -> pg client, to count rows
let cleaningUp;

function log(line = '') {
  process.stdout.write(`${line}\n`);
}

function fail(message) {
  failures.push(message);
  log(`!!! ${message}`);
}

// ---------------------------------------------------------------------------------------------- database

async function admin(work) {
  const client = new Client({ connectionString: config.adminUrl, connectionTimeoutMillis: 10000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function dropDatabases(client) {
  for (const name of DATABASES) {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } catch {
      await client.query(`DROP DATABASE IF EXISTS ${name}`); // PostgreSQL < 13
    }
  }
}

async function createDatabases() {
  await admin(async (client) => {
    await dropDatabases(client);
    for (const name of DATABASES) await client.query(`CREATE DATABASE ${name}`);
  });
  for (const name of DATABASES) {
    const client = new Client({ connectionString: databaseUrl(name), connectionTimeoutMillis: 10000 });
    clients.set(name, client);
    await client.connect();
  }
}

async function scalar(sql, database = config.database) {
  const { rows } = await clients.get(database).query(sql);
  return rows[0] ? Object.values(rows[0])[0] : undefined;
}

// ---------------------------------------------------------------------------------------------- demo build

/** Newest modification time of the .ts files under `dirs` (bounded walk). */
function newestSourceMtime(dirs) {
  let newest = 0;
  let seen = 0;
  const stack = dirs.map((dir) => path.join(ROOT, dir));
  while (stack.length > 0 && seen < 20000) {
    const dir = stack.pop();
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      seen++;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  }
  return newest;
}

const DEMO_ENTRY = path.join(ROOT, 'dist/apps/demo/apps/demo/src/main.js'); // `nest build demo` (tsc builder)

function buildDemoIfNeeded() {
  if (!fs.existsSync(path.join(ROOT, 'apps/demo/src/main.ts'))) throw new Error('apps/demo/src/main.ts does not exist: there is no demo to benchmark.');
  const sources = newestSourceMtime(['apps/demo/src', 'libs/webhooks/src']);
  if (fs.existsSync(DEMO_ENTRY) && fs.statSync(DEMO_ENTRY).mtimeMs >= sources) {
    log(`demo: ${path.relative(ROOT, DEMO_ENTRY)} is up to date`);
    return DEMO_ENTRY;
  }
  log('demo: building…');
  const result = spawnSync('npx', ['--no-install', 'nest', 'build', 'demo'], { cwd: ROOT, encoding: 'utf8', timeout: 300000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0 || !fs.existsSync(DEMO_ENTRY)) {
    const output = `${result.stdout || ''}${result.stderr || ''}${result.error ? String(result.error) : ''}`;
    throw new Error(`could not build the demo:\n${output.split('\n').slice(-40).join('\n')}`);
  }
  log(`demo: built ${path.relative(ROOT, DEMO_ENTRY)}`);
  return DEMO_ENTRY;
}

// ---------------------------------------------------------------------------------------------- processes

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function startChild(name, args, env) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  child.benchName = name;
  child.stderrTail = '';
  child.stderr.on('data', (chunk) => {
    child.stderrTail = (child.stderrTail + chunk.toString()).slice(-8000);
  });
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.on('error', (error) => {
    child.stderrTail += `\n${error.message}`;
  });
  children.add(child);
  return child;
}

function running(child) {
  return child.exitCode === null && child.signalCode === null;
}

async function stopChild(child) {
  if (!children.has(child)) return;
  if (running(child)) {
    child.kill('SIGTERM');
    const stopped = await Promise.race([child.exited.then(() => true), sleep(8000).then(() => false)]);
    if (!stopped && running(child)) {
      child.kill('SIGKILL');
      await Promise.race([child.exited, sleep(2000)]);
    }
  }
  children.delete(child);
}

async function waitUntilAnswering(child, url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (!running(child)) {
      throw new Error(`${child.benchName} exited before answering (${child.exitCode ?? child.signalCode}):\n${child.stderrTail}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error.message;
    }
    await sleep(200);
  }
  throw new Error(`${child.benchName} did not answer ${url} within ${timeoutMs / 1000} s (${lastError}):\n${child.stderrTail}`);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Environment of a child: this one, minus what would change which database or secret it uses. */
function childEnv(extra) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(DATABASE_|STRIPE_WEBHOOK_SECRET|SQLITE_PATH|PORT$|NODE_ENV$)/.test(name)) delete env[name];
  }
  return { ...env, ...extra };
}

function target(fields) {
  return {
    path: '/webhooks/stripe',
    url: `http://127.0.0.1:${fields.port}`,
    countRows: () => scalar(`SELECT count(*) FROM ${fields.table}`, fields.database).then(Number),
    ...fields,
  };
}

/** The demo app (apps/demo), as specified: the library with its worker running the demo's handlers. */
async function startLibrary(entry) {
  const port = await freePort();
  // NODE_ENV=production would make the demo refuse to apply its migrations on a fresh database; the demo has
  // no log-level setting, so its stdout (one line per delivery when handlers run) is discarded.
  const child = startChild('demo (library)', ['-r', path.join(__dirname, 'exit-with-parent.js'), entry], childEnv({
    PORT: String(port),
    DATABASE_URL: databaseUrl(config.database),
    STRIPE_WEBHOOK_SECRET: SECRET,
    NODE_ENV: 'development',
  }));
  await waitUntilAnswering(child, `http://127.0.0.1:${port}/health`, 90000);
  return target({
    name: 'library',
    short: 'library',
    label: 'library (demo app)',
    child,
    port,
    database: config.database,
    table: 'webhook_deliveries',
    hasWorker: true,
  });
}

/**
 * The library alone with its worker off (bench/library-app.ts, run from source): the request path only,
 * through Nest's pipeline (controller, WebhookSignatureGuard, receipt interceptor), on Express or Fastify.
 */
async function startIngress(platform) {
  const port = await freePort();
  const name = platform === 'fastify' ? 'ingress-fastify' : 'ingress';
  const database = `${config.database}_${name.replace('-', '_')}`;
  const child = startChild(`library-app.ts (${platform})`, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', path.join(__dirname, 'library-app.ts')], childEnv({
    PORT: String(port),
    PLATFORM: platform,
    DATABASE_URL: databaseUrl(database),
    STRIPE_WEBHOOK_SECRET: SECRET,
    TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
  }));
  await waitUntilAnswering(child, `http://127.0.0.1:${port}/health`, 90000);
  return target({
    name,
    short: platform === 'fastify' ? 'lib fastify' : 'lib express',
    label: `library on ${platform}, worker off`,
    child,
    port,
    database,
    table: 'webhook_deliveries',
    hasWorker: false,
  });
}

/** The baseline: bench/handwritten-receiver.js. */
async function startHandwritten() {
  const port = await freePort();
  const child = startChild('handwritten-receiver', [path.join(__dirname, 'handwritten-receiver.js')], childEnv({
    PORT: String(port),
    DATABASE_URL: databaseUrl(config.database),
    STRIPE_WEBHOOK_SECRET: SECRET,
  }));
  await waitUntilAnswering(child, `http://127.0.0.1:${port}/health`, 30000);
  return target({
    name: 'handwritten',
    short: 'hand-written',
    label: 'hand-written Express',
    child,
    port,
    database: config.database,
    table: 'handwritten_stripe_events',
    hasWorker: false,
  });
}

// ---------------------------------------------------------------------------------------------- events

let eventCounter = 0;

/** A checkout.session.completed as Stripe sends it (pretty-printed JSON), unique id and reference. */
function stripeEventBody(created) {
  const n = (eventCounter++).toString(36).padStart(7, '0');
  const tag = `${RUN_TAG}${n}`;
  const event = {
    id: `evt_1Bench${tag}`,
    object: 'event',
    api_version: '2025-01-27.acacia',
    created,
    data: {
      object: {
        id: `cs_test_a1Bench${tag}`,
        object: 'checkout.session',
        amount_subtotal: 5000,
        amount_total: 5000,
        client_reference_id: `REG-BENCH${tag.toUpperCase()}`,
        created: created - 60,
        currency: 'eur',
        customer: null,
        customer_details: { address: null, email: `buyer-${tag}@example.com`, name: 'Ada Lovelace', phone: null, tax_exempt: 'none', tax_ids: [] },
        expires_at: created + 86340,
        livemode: false,
        metadata: {},
        mode: 'payment',
        payment_intent: `pi_3Bench${tag}`,
        payment_method_types: ['card'],
        payment_status: 'paid',
        status: 'complete',
        success_url: 'https://example.com/registrations/success',
        total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'checkout.session.completed',
  };
  return JSON.stringify(event, null, 2);
}

/** `count` unique events signed now, as Stripe signs them: ready-made request bodies and headers. */
function signedEvents(count) {
  const timestamp = Math.floor(Date.now() / 1000);
  const events = new Array(count);
  for (let i = 0; i < count; i++) events[i] = signedEvent(timestamp);
  return events;
}

function signedEvent(timestamp) {
  const body = stripeEventBody(timestamp);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET, timestamp });
  return {
    body: Buffer.from(body),
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'stripe-signature': signature,
    },
  };
}

// ---------------------------------------------------------------------------------------------- CPU

// Linux only (best effort): CPU time of the target process and of every PostgreSQL process, from /proc, so
// each phase can say where the time went. Elsewhere the columns stay empty.
const MS_PER_TICK = (() => {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return 10;
  }
})();

function procCpu(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      // utime + stime, plus the children's that were reaped (backends that exited, for the postmaster)
      ms: (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * MS_PER_TICK,
    };
  } catch {
    return undefined;
  }
}

function cpuSnapshot(targetPid) {
  if (!fs.existsSync('/proc/self/stat')) return undefined;
  let postgres = 0;
  let scanned = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || ++scanned > 100000) continue;
    const cpu = procCpu(name);
    if (cpu && cpu.comm === 'postgres') postgres += cpu.ms;
  }
  const target = procCpu(targetPid);
  const self = process.cpuUsage();
  return { postgres, target: target ? target.ms : NaN, loadGenerator: (self.user + self.system) / 1000, machine: machineBusyMs() };
}

/** CPU time spent by the whole machine (all cores, not idle nor waiting for I/O). */
function machineBusyMs() {
  try {
    const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = ticks;
    return (user + nice + system + irq + softirq + steal) * MS_PER_TICK;
  } catch {
    return NaN;
  }
}

function cpuDelta(before, after) {
  if (!before || !after) return undefined;
  const target = after.target - before.target;
  const postgres = after.postgres - before.postgres;
  const loadGenerator = after.loadGenerator - before.loadGenerator;
  // Everything else on the machine: other programs, and the other (idle) target.
  const other = Math.max(0, after.machine - before.machine - target - postgres - loadGenerator);
  return { target, postgres, loadGenerator, other };
}

// ---------------------------------------------------------------------------------------------- load

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/**
 * Sends exactly `amount` requests (so every request is answered before the phase ends and the rows can be
 * compared with the 2xx count), at `rate` per second or as fast as possible.
 */
async function runPhase(target, phase) {
  const connections = Math.max(1, Math.min(config.connections, phase.amount, phase.rate || Infinity));
  // Pre-signed before the clock starts; a few spare for requests autocannon resends after a timeout.
  const events = signedEvents(phase.amount + connections + 16);
  let next = 0;
  const setupRequest = (request) => {
    const event = next < events.length ? events[next] : signedEvent(Math.floor(Date.now() / 1000));
    next++;
    request.method = 'POST';
    request.path = target.path;
    request.headers = event.headers;
    request.body = event.body;
    return request;
  };

  const rowsBefore = await target.countRows();
  const latencies = [];
  const statuses = {};
  const options = {
    url: target.url,
    connections,
    amount: phase.amount,
    timeout: 10,
    requests: [{ method: 'POST', path: target.path, setupRequest }],
  };
  if (phase.rate) {
    options.overallRate = phase.rate;
    // autocannon's correction for coordinated omission computes the expected interval in the wrong unit
    // for rates above 1/s per connection; latencies are taken here from each response, as measured.
    options.ignoreCoordinatedOmission = true;
  }

  const expectedSeconds = phase.amount / (phase.rate || phase.expectedRate || 500);
  const limitMs = Math.max(30000, expectedSeconds * 4000);
  let stoppedByGuard = false;

  const cpuBefore = cpuSnapshot(target.child.pid);
  const started = process.hrtime.bigint();
  const instance = autocannon(options);
  // autocannon reports the end of a run only at its next one-second tick: the phase ends at the last answer.
  // The CPU counters are read at that moment too, before the demo's worker gets a second on its own.
  let lastAnswer = started;
  let answered = 0;
  let cpuAtEnd;
  instance.on('response', (_client, status, _bytes, ms) => {
    lastAnswer = process.hrtime.bigint();
    statuses[status] = (statuses[status] || 0) + 1;
    if (status >= 200 && status < 300) latencies.push(ms);
    if (++answered === phase.amount) cpuAtEnd = cpuSnapshot(target.child.pid);
  });
  instance.on('reqError', () => {
    lastAnswer = process.hrtime.bigint();
  });
  const guard = setTimeout(() => {
    stoppedByGuard = true;
    instance.stop();
  }, limitMs);
  let result;
  try {
    result = await instance;
  } finally {
    clearTimeout(guard);
  }
  const cpuAfter = cpuAtEnd || cpuSnapshot(target.child.pid);
  const elapsed = Number(lastAnswer - started) / 1e9;
  const cpu = cpuDelta(cpuBefore, cpuAfter);
  const rowsAfter = await target.countRows();

  latencies.sort((a, b) => a - b);
  const ok = result['2xx'];
  const measured = {
    target: target.name,
    label: target.label,
    short: target.short,
    phase: phase.name,
    saturation: !!phase.saturation,
    connections,
    sent: phase.amount,
    elapsed,
    ok,
    // A paced phase cannot end before its last one-second window: its rate is counted over the nominal length.
    perSecond: ok / (phase.rate ? Math.max(elapsed, phase.amount / phase.rate) : elapsed),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.length ? latencies[latencies.length - 1] : NaN,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses,
    rows: rowsAfter - rowsBefore,
    cpu,
    stoppedByGuard,
  };
  if (stoppedByGuard) fail(`${target.label}, ${phase.name}: did not finish ${phase.amount} requests within ${Math.round(limitMs / 1000)} s`);
  if (measured.rows !== ok) {
    fail(`MISMATCH ${target.label}, ${phase.name}: ${measured.rows} rows stored in ${target.table} but ${ok} requests answered 2xx`);
  }
  if (measured.non2xx > 0 || measured.errors > 0) {
    const codes = Object.entries(statuses).filter(([code]) => !code.startsWith('2')).map(([code, n]) => `${n}×${code}`).join(', ');
    fail(`${target.label}, ${phase.name}: ${measured.non2xx} non-2xx answers${codes ? ` (${codes})` : ''}, ${measured.errors} socket errors (${measured.timeouts} timeouts)`);
  }
  return measured;
}

/** Library only: how many stored deliveries the worker has not processed yet. */
async function workerBacklog(target) {
  return Number(await scalar(`SELECT count(*) FROM webhook_deliveries WHERE status IN ('pending', 'processing')`, target.database));
}

/** Waits (bounded) until the demo's worker has processed what the last phase stored, so it does not load the next one. */
async function drainWorker(target, measured) {
  if (!target.hasWorker) return;
  const started = Date.now();
  measured.backlog = await workerBacklog(target);
  let left = measured.backlog;
  while (left > 0 && Date.now() - started < config.drainSeconds * 1000) {
    await sleep(250);
    left = await workerBacklog(target);
  }
  measured.drainSeconds = (Date.now() - started) / 1000;
  measured.backlogLeft = left;
}

let autovacuum;

/**
 * With autovacuum off (as on some CI and sandbox servers), every UPDATE the demo's worker makes leaves dead
 * rows and index entries that its claim query then wades through: the table would slow down in a way no
 * production server does. The bench then vacuums the target's table before each phase, outside the clock.
 */
async function vacuumIfNeeded(target) {
  if (autovacuum === undefined) autovacuum = (await scalar('SHOW autovacuum')) === 'on';
  if (autovacuum) return;
  await scalar(`VACUUM (ANALYZE) ${target.table}`, target.database);
  if (target.hasWorker) await scalar('VACUUM (ANALYZE) webhook_handler_runs', target.database);
}

/**
 * Every phase runs on each target in turn, so a change in the machine's background load during the run
 * affects all of them alike rather than one. A target is stopped after its last phase.
 */
async function benchAll(targets) {
  const results = [];
  const run = async (target, phase) => {
    await vacuumIfNeeded(target);
    const measured = await runPhase(target, phase);
    await drainWorker(target, measured);
    printPhase(measured);
    results.push(measured);
    return measured;
  };
  log('');
  for (const target of targets) log(`${target.label.padEnd(22)} ${target.url}${target.path}   (rows in ${target.database}.${target.table})`);
  log('');
  const expectedRate = new Map();
  if (config.warmup > 0) {
    // Two halves: the first one warms the JIT and the pools, the second one estimates the saturation rate.
    const first = Math.max(1, Math.floor(config.warmup / 2));
    for (const [name, amount] of [['warm-up 1', first], ['warm-up 2', config.warmup - first]]) {
      if (amount <= 0) continue;
      for (const target of targets) expectedRate.set(target, (await run(target, { name, amount })).perSecond);
    }
  }
  for (const target of targets) {
    const fixed = await run(target, { name: `rate ${config.rate}/s`, amount: config.rate * config.seconds, rate: config.rate });
    expectedRate.set(target, Math.max(expectedRate.get(target) || 0, fixed.perSecond));
  }
  // Saturation sends as many requests as the last measured rate would answer in BENCH_SECONDS (so it lasts
  // about that long) and waits for every answer: the 2xx count stays comparable with the rows stored.
  for (let round = 1; round <= config.rounds; round++) {
    for (const target of targets) {
      const estimate = expectedRate.get(target);
      const measured = await run(target, {
        name: config.rounds > 1 ? `saturation ${round}` : 'saturation',
        saturation: true,
        amount: Math.max(config.connections * 10, Math.round(estimate * 1.25 * config.seconds)),
        expectedRate: estimate,
      });
      expectedRate.set(target, measured.perSecond);
      if (round === config.rounds) await stopChild(target.child);
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------- output

function fmt(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

/** CPU microseconds per acknowledged webhook. */
function perWebhook(m, key) {
  return m.cpu && m.ok > 0 ? fmt((m.cpu[key] * 1000) / m.ok, 0) : '-';
}

const COLUMNS = [
  ['target', 12, (m) => m.short],
  ['phase', 13, (m) => m.phase],
  ['seconds', 8, (m) => fmt(m.elapsed, 2)],
  ['2xx', 7, (m) => String(m.ok)],
  ['webhooks/s', 11, (m) => fmt(m.perSecond, 0)],
  ['p50 ms', 7, (m) => fmt(m.p50, 1)],
  ['p99 ms', 7, (m) => fmt(m.p99, 1)],
  ['non-2xx', 8, (m) => String(m.non2xx + m.errors)],
  ['rows', 7, (m) => String(m.rows)],
  ['check', 9, (m) => (m.rows === m.ok ? 'rows=2xx' : 'MISMATCH')],
  ['node µs/wh', 11, (m) => perWebhook(m, 'target')],
  ['pg µs/wh', 9, (m) => perWebhook(m, 'postgres')],
  ['load µs/wh', 11, (m) => perWebhook(m, 'loadGenerator')],
  ['other cpu%', 11, (m) => (m.cpu && Number.isFinite(m.cpu.other) ? fmt(m.cpu.other / m.elapsed / 10, 0) : '-')],
];

let headerPrinted = false;
function printPhase(m) {
  if (!headerPrinted) {
    log(COLUMNS.map(([title, width]) => title.padStart(width)).join(' '));
    headerPrinted = true;
  }
  log(COLUMNS.map(([, width, value]) => value(m).padStart(width)).join(' '));
  if (m.backlog !== undefined && m.backlog > 0) {
    const drained = m.backlogLeft === 0
      ? `all processed ${fmt(m.drainSeconds, 1)} s later`
      : `${m.backlogLeft} still unprocessed after ${config.drainSeconds} s (BENCH_DRAIN_SECONDS)`;
    log(`${''.padStart(26)} └ worker: ${m.backlog} of these deliveries not processed yet when the load stopped; ${drained}`);
  }
}

async function machine() {
  const cpus = os.cpus();
  const pg = await scalar('SHOW server_version');
  const syncCommit = await scalar('SHOW synchronous_commit');
  const fsync = await scalar('SHOW fsync');
  const vacuum = await scalar('SHOW autovacuum');
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += ' (with uncommitted changes)';
  } catch {
    commit = 'unknown';
  }
  log(`machine:  ${cpus.length} cores (${cpus[0] ? cpus[0].model.trim() : 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`          Node ${process.version}; PostgreSQL ${pg} on 127.0.0.1 (synchronous_commit=${syncCommit}, fsync=${fsync}, autovacuum=${vacuum}); commit ${commit}`);
  if (vacuum !== 'on') log('          autovacuum is off on this server: the bench runs VACUUM (ANALYZE) on the target\'s tables before each phase');
  log(`          autocannon, the targets and PostgreSQL share these cores`);
  log(`load:     ${config.connections} connections; warm-up ${config.warmup} requests; rate ${config.rate}/s for ${config.seconds} s; ` +
    `saturation ≈${config.seconds} s${config.rounds > 1 ? ` × ${config.rounds} rounds` : ''}; targets take turns phase by phase`);
  log(`          each request a unique checkout.session.completed (${signedEvent(Math.floor(Date.now() / 1000)).body.length} bytes), signed as Stripe signs it`);
}

function printSummary(all) {
  log(`\n== summary: saturation${config.rounds > 1 ? `, ${config.rounds} rounds pooled` : ''}`);
  const pooled = (name) => {
    const phases = all.filter((m) => m.target === name && m.saturation);
    if (phases.length === 0) return undefined;
    const ok = phases.reduce((sum, m) => sum + m.ok, 0);
    const seconds = phases.reduce((sum, m) => sum + m.elapsed, 0);
    const median = (key) => [...phases].map((m) => m[key]).sort((a, b) => a - b)[Math.floor((phases.length - 1) / 2)];
    return { label: phases[0].label, perSecond: ok / seconds, p50: median('p50'), p99: median('p99'), phases };
  };
  const measured = TARGET_NAMES.map((name) => [name, pooled(name)]).filter(([, m]) => m);
  for (const [, m] of measured) {
    const rounds = m.phases.length > 1 ? `   (rounds: ${m.phases.map((p) => fmt(p.perSecond, 0)).join(', ')})` : '';
    log(`${m.label.padEnd(22)} ${fmt(m.perSecond, 0).padStart(7)} webhooks/s   p50 ${fmt(m.p50, 1).padStart(5)} ms   p99 ${fmt(m.p99, 1).padStart(5)} ms${rounds}`);
  }
  const baseline = pooled('handwritten');
  if (!baseline) return;
  for (const [name, m] of measured) {
    if (name === 'handwritten') continue;
    log(`ratio ${m.label} / hand-written: ${fmt(m.perSecond / baseline.perSecond, 2)}× webhooks/s ` +
      `(p50 latency ${fmt(m.p50 / baseline.p50, 2)}×, p99 ${fmt(m.p99 / baseline.p99, 2)}×)`);
  }
}

// ---------------------------------------------------------------------------------------------- main

async function cleanup() {
  if (cleaningUp) return cleaningUp;
  cleaningUp = (async () => {
    await Promise.all([...children].map((child) => stopChild(child).catch(() => {})));
    for (const client of clients.values()) await client.end().catch(() => {});
    if (!config.keepDatabase) {
      await admin(dropDatabases).catch((error) => {
        failures.push(`could not drop the bench databases: ${error.message}`);
      });
    }
  })();
  return cleaningUp;
}

async function main() {
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
  const entry = config.targets.includes('library') ? buildDemoIfNeeded() : undefined;
  await createDatabases();
  await machine();

  const targets = [];
  if (config.targets.includes('library')) targets.push(await startLibrary(entry));
  if (config.targets.includes('ingress')) targets.push(await startIngress('express'));
  if (config.targets.includes('ingress-fastify')) targets.push(await startIngress('fastify'));
  if (config.targets.includes('handwritten')) targets.push(await startHandwritten());
  const all = await benchAll(targets);
  printSummary(all);
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
