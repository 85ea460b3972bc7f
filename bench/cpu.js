'use strict';
// Linux only (best effort): CPU time of a target process and of every PostgreSQL process, and a process's
// resident memory, from /proc, so each phase can say where the time went. Elsewhere the values are NaN.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');

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

/** CPU time spent by the whole machine (all cores, not idle nor waiting for I/O). */
function machineBusyMs() {
  try {
    const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = ticks;
    return (user + nice + system + irq + softirq + steal) * MS_PER_TICK;
  } catch {
    return NaN;
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

function cpuDelta(before, after) {
  if (!before || !after) return undefined;
  const target = after.target - before.target;
  const postgres = after.postgres - before.postgres;
  const loadGenerator = after.loadGenerator - before.loadGenerator;
  // Everything else on the machine: other programs, and the other (idle) targets.
  const other = Math.max(0, after.machine - before.machine - target - postgres - loadGenerator);
  return { target, postgres, loadGenerator, other };
}

/** Resident set size of `pid` in bytes (VmRSS), NaN when unknown. */
function rssBytes(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

module.exports = { cpuSnapshot, cpuDelta, rssBytes };
