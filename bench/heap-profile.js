'use strict';
// Preloaded into the demo and the library's targets by BENCH_HEAP_PROF=<folder>: samples where the whole run
// allocates (V8's sampling heap profiler, every 32 kB on average) and writes the profile when the bench stops
// the process with SIGTERM (`<name>-<pid>.heapprofile`: open it in Chrome's DevTools, Memory tab). What is
// allocated per request is what the garbage collector has to sweep.
const fs = require('node:fs');
const path = require('node:path');
const inspector = require('node:inspector');

const session = new inspector.Session();
session.connect();
session.post('HeapProfiler.enable');
// Objects collected since are included: the profile is of allocations, not of what stays alive.
session.post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
process.prependListener('SIGTERM', () => {
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return;
    const name = process.env.PLATFORM ? `${process.env.FLOOR === '1' ? 'floor' : 'lib'}-${process.env.PLATFORM}` : 'demo';
    fs.writeFileSync(path.join(process.env.BENCH_HEAP_PROF, `${name}-${process.pid}.heapprofile`), JSON.stringify(result.profile));
  });
});
