'use strict';
// Preloaded into the demo and the library's targets by BENCH_CPU_PROF=<folder>: profiles the whole run and writes a V8 CPU profile
// (open it in Chrome's DevTools) when the bench stops the demo with SIGTERM, which `--cpu-prof` misses.
const fs = require('node:fs');
const path = require('node:path');
const inspector = require('node:inspector');

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.prependListener('SIGTERM', () => {
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    const name = process.env.PLATFORM ? `${process.env.FLOOR === '1' ? 'floor' : 'lib'}-${process.env.PLATFORM}` : 'demo';
    const file = path.join(process.env.BENCH_CPU_PROF, `${name}-${process.pid}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(result.profile));
  });
});
