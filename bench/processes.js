'use strict';
// The bench's child processes: the demo's build, targets started on a free port with an IPC channel (so
// they exit with the bench), waiting for their health route, stopping them.

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { ROOT, log, sleep } = require('./common');

const children = new Set();

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
  // BENCH_CPU_PROF / BENCH_HEAP_PROF=<folder>: the demo and the library's targets write their profiles there
  // when they stop (profile.js).
  const profiles = ['BENCH_CPU_PROF', 'BENCH_HEAP_PROF'].filter((variable) => process.env[variable]);
  if (/^(demo|lib|nest floor) /.test(name) && profiles.length > 0) {
    args = ['-r', require.resolve('./profile'), ...args];
    for (const variable of profiles) env = { ...env, [variable]: path.resolve(process.env[variable]) };
  }
  // Every server goes when the bench goes, however it ends.
  args = ['-r', require.resolve('./exit-with-parent'), ...args];
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

function stopAllChildren() {
  return Promise.all([...children].map((child) => stopChild(child).catch(() => {})));
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

/** Environment of a child: this one, minus what would change which database or secret it uses. */
function childEnv(extra) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(DATABASE_|STRIPE_WEBHOOK_SECRET|SQLITE_PATH|PORT$|NODE_ENV$)/.test(name)) delete env[name];
  }
  return { ...env, ...extra };
}

// ---------------------------------------------------------------------------------------------- demo build

const DEMO_ENTRY = path.join(ROOT, 'dist/apps/demo/apps/demo/src/main.js'); // `nest build demo` (tsc builder)
const DEMO_MIGRATIONS = path.join(ROOT, 'dist/apps/demo/apps/demo/src/migrations/index.js');

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

function buildDemoIfNeeded() {
  if (!fs.existsSync(path.join(ROOT, 'apps/demo/src/main.ts'))) throw new Error('apps/demo/src/main.ts does not exist: there is no demo to benchmark.');
  return buildIfNeeded('demo', DEMO_ENTRY, ['apps/demo/src', 'libs/webhooks/src'], ['nest', 'build', 'demo']);
}

// The library's targets run compiled too, as an app runs in production: under ts-node the TypeScript compiler
// stays in the heap (about 50 MiB live instead of 27), and every major garbage collection walks it.
const LIBRARY_APP_ENTRY = path.join(ROOT, 'dist/bench/bench/library-app.js'); // tsc -p bench/tsconfig.json

function buildLibraryAppIfNeeded() {
  return buildIfNeeded('library app', LIBRARY_APP_ENTRY, ['bench', 'libs/webhooks/src'], ['tsc', '-p', 'bench/tsconfig.json']);
}

/** Runs `command` (an npm binary) unless `entry` is newer than every .ts file under `sources`. */
function buildIfNeeded(name, entry, sources, command) {
  if (fs.existsSync(entry) && fs.statSync(entry).mtimeMs >= newestSourceMtime(sources)) {
    log(`${name}: ${path.relative(ROOT, entry)} is up to date`);
    return entry;
  }
  log(`${name}: building…`);
  const result = spawnSync('npx', ['--no-install', ...command], { cwd: ROOT, encoding: 'utf8', timeout: 300000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0 || !fs.existsSync(entry)) {
    const output = `${result.stdout || ''}${result.stderr || ''}${result.error ? String(result.error) : ''}`;
    throw new Error(`could not build the ${name}:\n${output.split('\n').slice(-40).join('\n')}`);
  }
  log(`${name}: built ${path.relative(ROOT, entry)}`);
  return entry;
}

/**
 * Node arguments and environment that run the compiled library app: its `nestjs-payment-webhooks` import
 * resolves to the compiled library beside it (the tsconfig paths, from dist/bench).
 */
function libraryAppCommand(entry) {
  return {
    args: ['-r', 'tsconfig-paths/register', entry],
    env: { TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), TS_NODE_BASEURL: path.join(ROOT, 'dist/bench') },
  };
}

module.exports = {
  DEMO_ENTRY,
  DEMO_MIGRATIONS,
  buildDemoIfNeeded,
  buildLibraryAppIfNeeded,
  libraryAppCommand,
  childEnv,
  freePort,
  running,
  startChild,
  stopAllChildren,
  stopChild,
  waitUntilAnswering,
};
