// Runs the built consumer app in <app dir> as a real process and checks what a user of the packed
// library sees. Node builtins only; the databases are created with psql.
//
//   node check.mjs <app dir> --db <database name prefix> [--platforms express,fastify] [--results <file>]
//
// Each check prints `ok - …` or `not ok - …`; with --results, one `pass|fail <name>` line per check is
// appended to the file. Exits 1 when a check failed. Every wait is bounded.
import { execFile, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    db: { type: 'string' },
    platforms: { type: 'string', default: 'express' },
    results: { type: 'string' },
  },
});
if (positionals.length !== 1 || !values.db || !/^[a-z0-9_]+$/.test(values.db)) {
  console.error('Usage: node check.mjs <app dir> --db <database name prefix, [a-z0-9_]> [--platforms express,fastify] [--results <file>]');
  process.exit(2);
}
const APP_DIR = resolve(positionals[0]);
const MAIN = join(APP_DIR, 'dist', 'main.js');
const PLATFORMS = values.platforms.split(',').filter(Boolean);
const PG_HOST = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const SECRET = 'whsec_test_consumer';
const START_TIMEOUT_MS = 30_000;
// A start that should fail must have exited this long after the spawn (the same deadline, not a second wait).
const EXIT_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

class CheckFailed extends Error {}
const expect = (condition, message) => {
  if (!condition) throw new CheckFailed(message);
};

// --- processes -------------------------------------------------------------------------------

/** Runs a command to its end (bounded); never reads stdin. */
function run(command, args, { cwd = APP_DIR, env = process.env, timeoutMs = 60_000 } = {}) {
  return new Promise((done) => {
    execFile(command, args, { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ code, signal: error?.signal ?? null, stdout, stderr, output: `${stdout}${stderr}`, error: code === null ? error : undefined });
    }).stdin?.end();
  });
}

function psql(sql, database = 'postgres') {
  const url = `postgres://${PG_HOST.user}@${PG_HOST.host}:${PG_HOST.port}/${database}`;
  return run('psql', [url, '-v', 'ON_ERROR_STOP=1', '-tAc', sql], { timeoutMs: 15_000 });
}

async function freshDatabase(name) {
  const dropped = await psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  const created = dropped.code === 0 ? await psql(`CREATE DATABASE ${name}`) : dropped;
  if (created.code !== 0) throw new Error(`psql could not create the database ${name}: ${created.output.trim()}`);
  return `postgres://${PG_HOST.user}@${PG_HOST.host}:${PG_HOST.port}/${name}`;
}

async function freePort() {
  const server = createServer();
  await new Promise((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

/**
 * Starts the app with exactly `env` (plus PATH/HOME). Resolves once it logged its listening line or
 * exited, whichever comes first; the returned handle keeps collecting its output.
 */
async function startApp(env) {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd: APP_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const app = { child, port, output: '', exit: null, base: `http://127.0.0.1:${port}`, startedAt: Date.now() };
  const exited = new Promise((ok) =>
    child.once('exit', (code, signal) => {
      app.exit = { code, signal };
      ok();
    }),
  );
  app.exited = exited;
  const listening = new Promise((ok) => {
    const collect = (chunk) => {
      app.output += chunk;
      if (/consumer app listening on/.test(app.output)) ok();
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
  });
  const timedOut = sleep(START_TIMEOUT_MS).then(() => 'timeout');
  const first = await Promise.race([listening.then(() => 'listening'), exited.then(() => 'exited'), timedOut]);
  app.state = first;
  return app;
}

/** SIGTERM (the app has shutdown hooks), SIGKILL if it is still there after STOP_TIMEOUT_MS. */
async function stopApp(app) {
  if (!app || app.exit) return;
  app.child.kill('SIGTERM');
  const stopped = await Promise.race([app.exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
  if (!stopped) {
    console.log(`  (the app did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; killed)`);
    app.child.kill('SIGKILL');
    await Promise.race([app.exited, sleep(STOP_TIMEOUT_MS)]);
  }
}

async function waitForExit(app) {
  const left = app.startedAt + EXIT_TIMEOUT_MS - Date.now();
  if (!app.exit && left > 0) await Promise.race([app.exited, sleep(left)]);
  return app.exit;
}

function mustListen(app) {
  expect(app.state === 'listening', app.state === 'exited'
    ? `the app exited (${JSON.stringify(app.exit)}) instead of listening`
    : `the app did not log its listening line within ${START_TIMEOUT_MS / 1000} s`);
}

// --- Stripe ----------------------------------------------------------------------------------

function checkoutCompleted(reference, amountTotal) {
  const created = Math.floor(Date.now() / 1000);
  return {
    id: `evt_consumer_${randomBytes(8).toString('hex')}`,
    object: 'event',
    api_version: '2025-01-27.acacia',
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'checkout.session.completed',
    data: {
      object: {
        id: `cs_consumer_${randomBytes(8).toString('hex')}`,
        object: 'checkout.session',
        client_reference_id: reference,
        amount_total: amountTotal,
        currency: 'eur',
        payment_status: 'paid',
        status: 'complete',
        metadata: {},
      },
    },
  };
}

/** Stripe's scheme: `t=<unix s>,v1=<hex HMAC-SHA256("<t>.<raw body>", secret)>`. */
function signStripe(body, secret, timestamp = Math.floor(Date.now() / 1000)) {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

async function post(url, body, headers) {
  const response = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

async function paymentRows(databaseUrl, reference, table = 'payment') {
  const sql = `SELECT count(*) FROM ${table} WHERE reference ${reference.endsWith('%') ? 'LIKE' : '='} '${reference}'`;
  const result = await run('psql', [databaseUrl, '-v', 'ON_ERROR_STOP=1', '-tAc', sql], { timeoutMs: 15_000 });
  if (result.code !== 0) return { error: result.output.trim() };
  return { count: Number(result.stdout.trim()) };
}

// --- checks ----------------------------------------------------------------------------------

function checksFor(platform, db) {
  const base = { PLATFORM: platform, NODE_ENV: 'development', STRIPE_WEBHOOK_SECRET: SECRET };
  return [
    {
      name: `${platform}: a signed checkout.session.completed is stored, handled once, and its retry is a duplicate`,
      async run(ctx) {
        const app = (ctx.app = await startApp({ ...base, DATABASE_URL: db.main }));
        mustListen(app);
        const body = JSON.stringify(checkoutCompleted('REF-1', 5000));
        const headers = { 'content-type': 'application/json', 'stripe-signature': signStripe(body, SECRET) };
        const first = await post(`${app.base}/webhooks/stripe`, body, headers);
        expect(first.status === 200, `POST /webhooks/stripe answered ${first.status}: ${first.text}`);
        expect(first.json?.received === true && typeof first.json.id === 'string' && first.json.duplicate === false,
          `the first answer is ${first.text}, not { received: true, id, duplicate: false }`);

        let rows;
        for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(250)) {
          rows = await paymentRows(db.main, 'REF-1');
          if (rows.count >= 1) break;
        }
        expect(rows.count === 1, `no payment row for REF-1 after 10 s (${rows.error ?? `count ${rows.count}`})`);

        const again = await post(`${app.base}/webhooks/stripe`, body, headers);
        expect(again.status === 200, `the same bytes again answered ${again.status}: ${again.text}`);
        expect(again.json?.duplicate === true && again.json.id === first.json.id,
          `the retry's answer is ${again.text}, not { duplicate: true, id: "${first.json.id}" }`);
        await sleep(2_000);
        rows = await paymentRows(db.main, 'REF-1');
        expect(rows.count === 1, `after the retry, ${rows.error ?? `${rows.count} payment rows`} for REF-1 instead of exactly 1`);
      },
    },
    {
      name: `${platform}: a burst of 30 payments is recorded once each by the one-event handler and by the @OnPaymentBatch handler`,
      async run(ctx) {
        const app = (ctx.app = await startApp({ ...base, DATABASE_URL: db.main }));
        mustListen(app);
        const prefix = `BURST-${platform}-`;
        const answers = await Promise.all(
          Array.from({ length: 30 }, (_, n) => {
            const body = JSON.stringify(checkoutCompleted(`${prefix}${n}`, 1000 + n));
            return post(`${app.base}/webhooks/stripe`, body, { 'content-type': 'application/json', 'stripe-signature': signStripe(body, SECRET) });
          }),
        );
        expect(answers.every((answer) => answer.status === 200), `answers: ${[...new Set(answers.map((answer) => answer.status))].join(', ')}`);
        let payments;
        let sales;
        for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(250)) {
          [payments, sales] = [await paymentRows(db.main, `${prefix}%`), await paymentRows(db.main, `${prefix}%`, 'sale')];
          if (payments.count >= 30 && sales.count >= 30) break;
        }
        expect(payments.count === 30 && sales.count === 30,
          `after 15 s: ${payments.error ?? payments.count} payment rows and ${sales.error ?? sales.count} sale rows for 30 payments`);
      },
    },
    {
      name: `${platform}: with GLOBAL_PREFIX=api the endpoint answers at /api/webhooks/stripe`,
      async run(ctx) {
        const app = (ctx.app = await startApp({ ...base, DATABASE_URL: db.main, GLOBAL_PREFIX: 'api' }));
        mustListen(app);
        const body = JSON.stringify(checkoutCompleted('REF-2', 1200));
        const headers = { 'content-type': 'application/json', 'stripe-signature': signStripe(body, SECRET) };
        const answer = await post(`${app.base}/api/webhooks/stripe`, body, headers);
        expect(answer.status === 200 && answer.json?.received === true,
          `POST /api/webhooks/stripe answered ${answer.status}: ${answer.text}`);
      },
    },
    {
      name: `${platform}: NODE_ENV=production on an unmigrated database stops the start and names the migrate command`,
      async run(ctx) {
        const app = (ctx.app = await startApp({ ...base, NODE_ENV: 'production', DATABASE_URL: db.unmigrated }));
        expect(app.state !== 'listening', 'the app started and listens on an unmigrated database');
        const exit = await waitForExit(app);
        expect(exit, `the app neither listened nor exited within ${EXIT_TIMEOUT_MS / 1000} s`);
        expect(exit.code !== 0, `the app exited with ${JSON.stringify(exit)}, not a failure code`);
        expect(/migrate/.test(app.output), 'the output does not name the command to run (no "migrate" in it)');
        if (!/nestjs-payment-webhooks migrate/.test(app.output)) {
          console.log('  (note: the output says "migrate" but not "nestjs-payment-webhooks migrate")');
        }
      },
    },
    {
      name: `${platform}: without STRIPE_WEBHOOK_SECRET the start fails and names the option, without a TypeError`,
      async run(ctx) {
        const { STRIPE_WEBHOOK_SECRET: _omitted, ...env } = base;
        const app = (ctx.app = await startApp({ ...env, DATABASE_URL: db.main }));
        expect(app.state !== 'listening', 'the app started and listens without a signing secret');
        const exit = await waitForExit(app);
        expect(exit, `the app neither listened nor exited within ${EXIT_TIMEOUT_MS / 1000} s`);
        expect(exit.code !== 0, `the app exited with ${JSON.stringify(exit)}, not a failure code`);
        expect(/secrets|STRIPE_WEBHOOK_SECRET/.test(app.output), 'the output names neither `secrets` nor STRIPE_WEBHOOK_SECRET');
        expect(!/TypeError/.test(app.output), 'the output contains a TypeError');
      },
    },
  ];
}

function cliChecks(db) {
  // `--no`: never fetch the name from the registry, only the installed bin; `--`: `--help` is the CLI's.
  const npx = (args) => run('npx', ['--no', '--', 'nestjs-payment-webhooks', ...args], { timeoutMs: 60_000 });
  return [
    {
      name: 'cli: `npx nestjs-payment-webhooks --help` exits 0 and prints the usage',
      async run(ctx) {
        const result = (ctx.result = await npx(['--help']));
        expect(result.code === 0, `exit ${result.code ?? result.signal}`);
        expect(/Usage: nestjs-payment-webhooks/.test(result.stdout), 'stdout has no "Usage: nestjs-payment-webhooks"');
      },
    },
    {
      name: 'cli: `npx nestjs-payment-webhooks status --url $DATABASE_URL` exits 0 on the migrated database',
      async run(ctx) {
        const result = (ctx.result = await npx(['status', '--url', db.main]));
        expect(result.code === 0, `exit ${result.code ?? result.signal}`);
        expect(/applied\s+\S+/.test(result.stdout) && !/pending/.test(result.stdout),
          'stdout lists no applied migration, or a pending one');
      },
    },
  ];
}

// --- runner ----------------------------------------------------------------------------------

const tail = (text, lines = 25) => text.trim().split('\n').slice(-lines).map((line) => `    | ${line}`).join('\n');
let passed = 0;
let failed = 0;

async function runCheck(check) {
  const ctx = {};
  const started = Date.now();
  try {
    await check.run(ctx);
    passed += 1;
    console.log(`ok - ${check.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (values.results) appendFileSync(values.results, `pass ${check.name}\n`);
  } catch (error) {
    failed += 1;
    console.log(`not ok - ${check.name}\n  ${error instanceof CheckFailed ? error.message : error.stack}`);
    const output = ctx.app?.output ?? ctx.result?.output;
    if (output) console.log(`  output (last lines):\n${tail(output)}`);
    if (values.results) appendFileSync(values.results, `fail ${check.name}\n`);
  } finally {
    await stopApp(ctx.app);
  }
}

let firstDb;
for (const platform of PLATFORMS) {
  const db = {
    main: await freshDatabase(`${values.db}_${platform}`),
    unmigrated: await freshDatabase(`${values.db}_${platform}_unmigrated`),
  };
  firstDb ??= db;
  for (const check of checksFor(platform, db)) await runCheck(check);
}
// The CLI does not depend on the platform: once, on a database the first platform's app migrated.
if (firstDb) for (const check of cliChecks(firstDb)) await runCheck(check);

console.log(`checks: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
