'use strict';
// Opt-in diagnostic (BENCH_PROBE=1 npm run bench), preloaded with `node -r` into the demo: counts the SQL
// statements the demo's process sends, by shape, with their time from call to result, and measures its
// event loop's delay and its garbage-collection pauses, in periods the bench marks through the IPC channel
// ('probe:mark' ends a period, 'probe:report' ends the last one and answers every period). It wraps pg's
// Client#query and better-sqlite3's Statement#run/get/all; it changes nothing else in the demo.

const { monitorEventLoopDelay, performance, PerformanceObserver } = require('node:perf_hooks');
const { percentile } = require('./common');

let statements = new Map();
let loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
let periods = [];
/** Garbage-collection pauses of the period (the main thread stopped): a latency tail may be one of them. */
let gc = { count: 0, ms: 0, maxMs: 0, major: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count++;
    gc.ms += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
    // NODE_PERFORMANCE_GC_MAJOR
    if (entry.detail && entry.detail.kind === 4) gc.major++;
  }
}).observe({ entryTypes: ['gc'] });

/** One line per statement shape: literals and placeholders folded, multi-row VALUES folded. */
function shape(sql) {
  return String(sql)
    .replace(/\s+/g, ' ')
    .replace(/\$\d+|\?/g, '?')
    .replace(/\b\d{4,}\b/g, '?') // literals some drivers inline (TypeORM on SQLite: epoch milliseconds)
    .replace(/VALUES (\([^)]*\)(, )?)+/i, 'VALUES (…)')
    .replace(/IN \((\?, )*\?\)/g, 'IN (…)')
    .trim()
    .slice(0, 110);
}

function record(sql, ms) {
  const key = shape(sql);
  const entry = statements.get(key) || { count: 0, ms: 0, times: [] };
  entry.count++;
  entry.ms += ms;
  entry.times.push(ms);
  statements.set(key, entry);
}

function endPeriod() {
  loop.disable();
  periods.push({
    statements: [...statements.entries()].map(([sql, { count, ms, times }]) => {
      const sorted = times.sort((x, y) => x - y);
      return { sql, count, ms, p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
    }),
    loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    gc,
  });
  gc = { count: 0, ms: 0, maxMs: 0, major: 0 };
  statements = new Map();
  loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
}

try {
  const pg = require('pg');
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function probedQuery(config, values, callback) {
    const text = typeof config === 'string' ? config : config && config.text;
    // Callback and submittable forms (pg's own Pool#query, streams) pass through uncounted.
    if (typeof values === 'function' || typeof callback === 'function' || (config && typeof config.submit === 'function')) return query.apply(this, arguments);
    const started = performance.now();
    const result = query.apply(this, arguments);
    const done = () => record(text, performance.now() - started);
    result.then(done, done);
    return result;
  };
} catch {
  // no pg: SQLite only
}

try {
  const Database = require('better-sqlite3');
  const db = new Database(':memory:');
  const prototype = Object.getPrototypeOf(db.prepare('SELECT 1'));
  db.close();
  for (const method of ['run', 'get', 'all']) {
    const original = prototype[method];
    prototype[method] = function probedStatement(...args) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        record(this.source, performance.now() - started);
      }
    };
  }
} catch {
  // no better-sqlite3: PostgreSQL only
}

if (process.channel) {
  process.on('message', (message) => {
    if (message === 'probe:reset') {
      endPeriod();
      periods = [];
    } else if (message === 'probe:mark') {
      endPeriod();
    } else if (message === 'probe:report') {
      endPeriod();
      process.send({ probe: periods });
      periods = [];
    }
  });
  process.channel.unref();
}
