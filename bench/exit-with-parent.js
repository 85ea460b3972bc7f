'use strict';
// Preloaded (`node -r`) into the demo started by bench/run.js: when the bench process goes away (its IPC
// channel closes), the demo goes too, so a crashed or killed bench never leaves a server behind.
// It changes nothing else in the demo.
if (process.channel) {
  process.once('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(1), 5000).unref();
  });
  process.channel.unref();
}
