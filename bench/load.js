'use strict';
// The two ways the bench sends webhooks. Both send exactly `amount` requests and wait for every answer, so
// what a phase stored can be compared with its 2xx count; `event(i)` gives request number i (unique).
//
// - closedLoop: autocannon, `connections` connections each sending its next request as soon as the last one
//   is answered: as fast as the target goes (saturation). With `seconds`, it stops sending after that long
//   (or after `amount`, a cap): each connection sends nothing more once its request in flight is answered.
// - openLoop: requests started at evenly spaced times, `rate` per second, whatever the answers do, over a
//   keep-alive pool of `connections` sockets (a request waits for a free socket, and that wait counts in its
//   latency). autocannon's own rate limit sends each second's share as a burst at the start of the second,
//   which measures the burst, not the rate; independent deliveries arrive spread out.

const http = require('node:http');
const autocannon = require('autocannon');

function emptyResult() {
  return { ok: 0, non2xx: 0, errors: 0, timeouts: 0, statuses: {}, latencies: [] };
}

/**
 * @param {object} o
 * @param {string} o.url  @param {string} o.path  @param {number} o.amount  @param {number} o.connections
 * @param {(i: number) => {body: Buffer, headers: object}} o.event
 * @param {number} [o.seconds]  stop sending after this long (`amount` is then a cap)
 * @param {number} o.limitMs  the phase is stopped (and reported) past this
 * @param {(ok: number) => void} [o.onLastAnswer]  called at the moment the last answer arrives, with the 2xx count
 */
async function closedLoop(o) {
  const result = emptyResult();
  let next = 0;
  const setupRequest = (request) => {
    const event = o.event(next++);
    request.method = 'POST';
    request.path = o.path;
    request.headers = event.headers;
    request.body = event.body;
    return request;
  };
  const started = process.hrtime.bigint();
  const instance = autocannon({
    url: o.url,
    connections: Math.max(1, Math.min(o.connections, o.amount)),
    amount: o.amount,
    timeout: 10,
    requests: [{ method: 'POST', path: o.path, setupRequest }],
  });
  // autocannon reports the end of a run only at its next one-second tick: the phase ends at the last answer.
  let lastAnswer = started;
  let answered = 0;
  const stopAt = o.seconds ? started + BigInt(Math.round(o.seconds * 1e9)) : undefined;
  const connections = Math.max(1, Math.min(o.connections, o.amount));
  const closing = new Set();
  instance.on('response', (client, status, _bytes, ms) => {
    lastAnswer = process.hrtime.bigint();
    result.statuses[status] = (result.statuses[status] || 0) + 1;
    if (status >= 200 && status < 300) result.latencies.push(ms);
    answered++;
    // Time is up: this connection's quota becomes what it has sent, so it closes instead of sending again
    // (autocannon checks right after this event); the run ends when every connection has closed.
    if (stopAt !== undefined && lastAnswer >= stopAt) client.responseMax = Math.min(client.responseMax, client.reqsMade);
    if (client.reqsMade >= client.responseMax) closing.add(client);
    if (closing.size === connections || answered === o.amount) o.onLastAnswer?.(result.latencies.length);
  });
  instance.on('reqError', () => {
    lastAnswer = process.hrtime.bigint();
  });
  let stoppedByGuard = false;
  const guard = setTimeout(() => {
    stoppedByGuard = true;
    instance.stop();
  }, o.limitMs);
  let summary;
  try {
    summary = await instance;
  } finally {
    clearTimeout(guard);
  }
  result.latencies.sort((a, b) => a - b);
  return {
    ...result,
    ok: summary['2xx'],
    non2xx: summary.non2xx,
    errors: summary.errors,
    timeouts: summary.timeouts,
    started,
    lastAnswer,
    elapsed: Number(lastAnswer - started) / 1e9,
    stoppedByGuard,
  };
}

/**
 * Same parameters as closedLoop, plus `rate` (requests per second) and optional `onAnswer(answered, status, ms)`.
 * Also reports `lagMs` (p99, max): how late requests started against their schedule (a busy bench shows here).
 */
function openLoop(o) {
  const { hostname, port } = new URL(o.url);
  // FIFO keeps every socket in use; an idle one is closed here after 4 s, before Node's server closes it at
  // its 5 s keep-alive timeout, which could race a request reusing it (an ECONNRESET).
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections, scheduling: 'fifo', timeout: 4000 });
  const result = emptyResult();
  const latencies = new Float64Array(o.amount);
  const lags = [];
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const startMs = performance.now();
    let lastAnswer = started;
    let sent = 0;
    let answered = 0;
    let timer;
    let stoppedByGuard = false;

    const finish = () => {
      clearTimeout(timer);
      clearTimeout(guard);
      agent.destroy();
      const ok = latencies.subarray(0, result.ok).sort();
      lags.sort((a, b) => a - b);
      resolve({
        ...result,
        latencies: ok,
        started,
        lastAnswer,
        elapsed: Number(lastAnswer - started) / 1e9,
        stoppedByGuard,
        lagMs: { p99: lags.length ? lags[Math.ceil(lags.length * 0.99) - 1] : 0, max: lags.length ? lags[lags.length - 1] : 0 },
      });
    };
    const guard = setTimeout(() => {
      stoppedByGuard = true;
      finish();
    }, o.limitMs);

    const answer = (status, ms) => {
      lastAnswer = process.hrtime.bigint();
      if (status >= 200 && status < 300) latencies[result.ok++] = ms;
      else if (status > 0) result.non2xx++;
      if (status > 0) result.statuses[status] = (result.statuses[status] || 0) + 1;
      answered++;
      o.onAnswer?.(answered, status, ms);
      if (answered === o.amount) {
        o.onLastAnswer?.(result.ok);
        if (!stoppedByGuard) finish();
      }
    };

    const send = (i) => {
      const event = o.event(i);
      const t0 = process.hrtime.bigint();
      let done = false;
      const once = (status) => {
        if (done) return;
        done = true;
        answer(status, Number(process.hrtime.bigint() - t0) / 1e6);
      };
      const request = http.request(
        { agent, hostname, port, path: o.path, method: 'POST', headers: { ...event.headers, 'content-length': event.body.length } },
        (response) => {
          response.resume();
          response.on('end', () => once(response.statusCode));
          response.on('error', () => {
            result.errors++;
            once(0);
          });
        },
      );
      request.setTimeout(10000, () => {
        result.timeouts++;
        request.destroy(new Error('timeout'));
      });
      request.on('error', () => {
        if (done) return;
        result.errors++;
        once(0);
      });
      request.end(event.body);
    };

    const tick = () => {
      const now = performance.now();
      const due = Math.min(o.amount, Math.floor(((now - startMs) * o.rate) / 1000) + 1);
      if (due > sent) lags.push(now - (startMs + (sent * 1000) / o.rate));
      while (sent < due) send(sent++);
      if (sent < o.amount && !stoppedByGuard) timer = setTimeout(tick, 1);
    };
    tick();
  });
}

module.exports = { closedLoop, openLoop };
