'use strict';
// `npm run bench:instructions`: CPU instructions per request of the request path, counted by valgrind
// (callgrind), so that the figure is the same whatever else the machine does. `npm run bench` measures
// throughput, which on a shared 2-core VM moves by tens of percent from run to run; an instruction count
// moves by a few. What it cannot count is a database in another process (PostgreSQL), so it compares
// what the library adds to Nest's pipeline part by part:
//
//   nest floor                an empty Nest route at the webhook path (library-app.ts with FLOOR=1)
//   library, nothing checked  the library's endpoint with a strategy that reads nothing and a store that
//                             answers at once (STRATEGY=none STORE=none): its place in the pipeline
//   library, Stripe           the Stripe strategy (verify the signature, parse, normalize), no store (STORE=none)
//   library, Stripe + SQLite  the whole request path on the TypeORM store, SQLite in the same process
//
// Each target runs under valgrind on Express and on Fastify, receives BENCH_WARMUP signed Stripe events over
// 50 connections (JIT, caches), has its counters zeroed, receives BENCH_REQUESTS more, and is counted.
// One target at a time (BENCH_PARALLEL=2 halves the time, with counts that vary more); about 10 minutes on
// 2 cores. Needs valgrind (Debian: apt-get install valgrind).

const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { ROOT, log, sleep, intFromEnv, gitCommit, table } = require('./common');
const { buildLibraryAppIfNeeded, freePort, libraryAppCommand } = require('./processes');
const { StripeEvents } = require('./stripe-events');

const WARMUP = intFromEnv('BENCH_WARMUP', 2000, 100, 1_000_000);
const REQUESTS = intFromEnv('BENCH_REQUESTS', 2000, 100, 1_000_000);
const PARALLEL = intFromEnv('BENCH_PARALLEL', 1, 1, 8);
const CONNECTIONS = 50;
const SECRET = 'whsec_test_instructions_bench';

const VARIANTS = [
  { name: 'nest floor', env: { FLOOR: '1' } },
  { name: 'library, nothing checked', env: { STRATEGY: 'none', STORE: 'none' } },
  { name: 'library, Stripe', env: { STORE: 'none' } },
  { name: 'library, Stripe + SQLite', env: {}, sqlite: true },
];

function hasValgrind() {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Instructions per request of one variant on one platform. */
async function count(variant, platform, dir, entry) {
  const port = await freePort();
  const out = path.join(dir, `${platform}-${VARIANTS.indexOf(variant)}.callgrind`);
  const command = libraryAppCommand(entry);
  const env = { ...process.env, ...command.env, ...variant.env, PLATFORM: platform, PORT: String(port), STRIPE_WEBHOOK_SECRET: SECRET };
  delete env.DATABASE_URL;
  if (variant.sqlite) env.SQLITE_PATH = path.join(dir, `${platform}.sqlite`);
  const node = ['-r', require.resolve('./exit-with-parent'), ...command.args];
  const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, '--dump-instr=no', process.execPath, ...node], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${variant.name} (${platform}) exited under valgrind:\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`${variant.name} (${platform}) did not answer within 300 s under valgrind`);
      if (await fetch(`${url}/health`).then((response) => response.ok, () => false)) break;
      await sleep(1000);
    }
    const events = new StripeEvents(SECRET);
    const send = (amount) => sendAll(port, events.signRange(events.reserve(amount)), `${variant.name} (${platform})`);
    await send(WARMUP);
    execFileSync('callgrind_control', ['--zero', String(child.pid)], { stdio: 'ignore' });
    await send(REQUESTS);
    execFileSync('callgrind_control', ['--dump', String(child.pid)], { stdio: 'ignore' });
    const dump = fs.readdirSync(dir).find((file) => file.startsWith(path.basename(out)) && file !== path.basename(out));
    const totals = dump && /^(?:summary|totals): (\d+)/m.exec(fs.readFileSync(path.join(dir, dump), 'utf8'));
    if (!totals) throw new Error(`${variant.name} (${platform}): callgrind wrote no counts`);
    return Number(totals[1]) / REQUESTS;
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Every event over CONNECTIONS keep-alive sockets, each sending its next once answered; no timeout (a process
 * under valgrind runs some 50 times slower, and a request that timed out would be counted and sent again).
 */
async function sendAll(port, signed, name) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  const post = ({ body, headers }) =>
    new Promise((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, path: '/webhooks/stripe', method: 'POST', agent, headers: { ...headers, 'content-length': body.length } }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      });
      request.on('error', reject);
      request.end(body);
    });
  const connection = async () => {
    while (next < signed.length) {
      const status = await post(signed[next++]);
      if (status !== 200) throw new Error(`${name} answered ${status}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, connection));
  } finally {
    agent.destroy();
  }
}

async function main() {
  if (!hasValgrind()) {
    log('bench:instructions needs valgrind (with callgrind_control) on the PATH; on Debian: apt-get install valgrind');
    process.exit(1);
  }
  const entry = buildLibraryAppIfNeeded();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhooks-instructions-'));
  const started = Date.now();
  log(`instructions per request, counted by callgrind: ${WARMUP} warm-up requests, then ${REQUESTS} counted, ${CONNECTIONS} connections; commit ${gitCommit()}`);
  const jobs = ['express', 'fastify'].flatMap((platform) => VARIANTS.map((variant) => ({ platform, variant })));
  const results = new Map();
  try {
    // One at a time by default: two side by side share both cores with their load generators, and once
    // counted the same target 10 % apart.
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        const perRequest = await count(job.variant, job.platform, dir, entry);
        results.set(`${job.platform} ${job.variant.name}`, perRequest);
        log(`${job.platform.padEnd(8)} ${job.variant.name.padEnd(26)} ${Math.round(perRequest / 1000)}k instructions per request`);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const rows = jobs.map(({ platform, variant }) => {
    const value = results.get(`${platform} ${variant.name}`);
    const floor = results.get(`${platform} nest floor`);
    const before = VARIANTS[VARIANTS.indexOf(variant) - 1];
    const added = before ? value - results.get(`${platform} ${before.name}`) : NaN;
    return [platform, variant.name, `${Math.round(value / 1000)}k`, Number.isFinite(added) ? `+${Math.round(added / 1000)}k` : '-', `${(value / floor).toFixed(2)}×`];
  });
  log('');
  log(table(['platform', 'target', 'instructions/request', 'added by this part', '× floor'], rows));
  log('');
  for (const platform of ['express', 'fastify']) {
    const floor = results.get(`${platform} nest floor`);
    const withoutStore = results.get(`${platform} library, Stripe`);
    // A receiver bound by its Node thread answers in proportion to 1 / instructions per request.
    log(
      `${platform}: with a store that cost nothing, the library could answer at most ${Math.round((100 * floor) / withoutStore)} % of what the empty Nest route ` +
        `answers (a Node-bound receiver's throughput goes as 1 / instructions per request)`,
    );
  }
  log(`\nwhole run: ${Math.round((Date.now() - started) / 1000)} s`);
}

main().catch((error) => {
  console.error(error.stack || error);
  process.exit(1);
});
