'use strict';
// Preloaded (`node -r`) into every server the bench starts: when the bench process goes away (its IPC
// channel closes), the server goes too, so a crashed or killed bench never leaves one behind.
// It changes nothing else in the server.
if (process.channel) {
  process.once('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(1), 5000).unref();
  });
  process.channel.unref();
}
