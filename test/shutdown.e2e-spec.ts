import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppProcess } from './support/app-process';

describe('Shutdown of a real process on SIGTERM', () => {
  const files: string[] = [];
  afterAll(() => files.forEach((file) => ['', '-wal', '-shm'].forEach((suffix) => rmSync(file + suffix, { force: true }))));

  async function deliverAndTerminate(handlerMs: number, graceMs: number) {
    const file = join(tmpdir(), `webhooks-shutdown-${randomUUID()}.sqlite`);
    files.push(file);
    const app = new AppProcess({ SQLITE_FILE: file, HANDLER_MS: String(handlerMs), GRACE_MS: String(graceMs) });
    const id = await app.deliver('SHUT-1');
    await app.line(/handler started/);
    const terminatedAt = Date.now();
    app.terminate();
    const exit = await app.exited;
    const elapsed = Date.now() - terminatedAt;

    const db = new DataSource({ type: 'better-sqlite3', database: file });
    await db.initialize();
    const [row] = await db.query('SELECT status, attempts, lease_owner, next_attempt_at FROM webhook_deliveries WHERE id = ?', [id]);
    await db.destroy();
    return { exit, elapsed, row, output: app.output };
  }

  it('lets a running handler finish within the grace period', async () => {
    const { exit, row, output } = await deliverAndTerminate(500, 10_000);
    // Nest re-raises the signal once the app is closed.
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(output).toContain('handler finished');
    expect(row).toMatchObject({ status: 'processed', lease_owner: null });
  });

  it('releases the lease of a handler still running when the grace period ends: due again, attempt not counted', async () => {
    const { exit, elapsed, row, output } = await deliverAndTerminate(60_000, 300);
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(elapsed).toBeLessThan(10_000);
    expect(output).not.toContain('handler finished');
    expect(output.some((line) => line.includes('unfinished at shutdown'))).toBe(true);
    expect(row).toMatchObject({ status: 'pending', attempts: 0, lease_owner: null });
  });
});
