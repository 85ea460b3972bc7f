'use strict';
// Preloaded into the demo and the library's targets when the bench is asked for profiles:
//   BENCH_CPU_PROF=<folder>   a V8 CPU profile (`<name>-<pid>.cpuprofile`; Chrome's DevTools, Performance tab)
//   BENCH_HEAP_PROF=<folder>  a sampled allocation profile (`<name>-<pid>.heapprofile`; DevTools, Memory tab):
//                             every allocation, collected or not, so what each request leaves for the GC
// Both cover the whole run and are written when the bench stops the process with SIGTERM, which `--cpu-prof`
// misses. <name> is demo, lib-<platform> or floor-<platform>.
const fs = require('node:fs');
const path = require('node:path');
const inspector = require('node:inspector');

const session = new inspector.Session();
session.connect();
const name = process.env.PLATFORM ? `${process.env.FLOOR === '1' ? 'floor' : 'lib'}-${process.env.PLATFORM}` : 'demo';
const write = (folder, extension) => (error, result) => {
  if (!error) fs.writeFileSync(path.join(folder, `${name}-${process.pid}.${extension}`), JSON.stringify(result.profile));
};

if (process.env.BENCH_CPU_PROF) {
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.prependListener('SIGTERM', () => session.post('Profiler.stop', write(process.env.BENCH_CPU_PROF, 'cpuprofile')));
}
if (process.env.BENCH_HEAP_PROF) {
  session.post('HeapProfiler.enable');
  // A sample every 32 kB allocated on average; objects collected since stay in: allocations, not what lives.
  session.post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  process.prependListener('SIGTERM', () => session.post('HeapProfiler.stopSampling', write(process.env.BENCH_HEAP_PROF, 'heapprofile')));
}
