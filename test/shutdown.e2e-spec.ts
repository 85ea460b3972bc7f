import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { signStripe, stripeEvent } from 'nestjs-payment-webhooks/testing';

/** A real process running a real app; lines of its output can be awaited. */
class AppProcess {
  readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, 'fixtures/slow-handler.app.ts')], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, ...env, TS_NODE_PROJECT: 'tsconfig.json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean));
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  async line(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.output.find((line) => pattern.test(line));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in:\n${this.output.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  terminate(): void {
    this.child.kill('SIGTERM');
  }
}

describe('Shutdown of a real process on SIGTERM', () => {
  const files: string[] = [];
  afterAll(() => files.forEach((file) => ['', '-wal', '-shm'].forEach((suffix) => rmSync(file + suffix, { force: true }))));

  async function deliverAndTerminate(handlerMs: number, graceMs: number) {
    const file = join(tmpdir(), `webhooks-shutdown-${randomUUID()}.sqlite`);
    files.push(file);
    const app = new AppProcess({ SQLITE_FILE: file, HANDLER_MS: String(handlerMs), GRACE_MS: String(graceMs) });
    const port = (await app.line(/^listening \d+/)).split(' ')[1];
    const signed = signStripe({
      secret: 'whsec_test_shutdown',
      payload: stripeEvent('checkout.session.completed', { id: 'cs_1', object: 'checkout.session', payment_status: 'paid', client_reference_id: 'SHUT-1', metadata: {}, amount_total: 100, currency: 'eur' }),
    });
    const response = await request(`http://127.0.0.1:${port}`).post('/webhooks/stripe').set(signed.headers).send(signed.body);
    expect(response.status).toBe(200);
    await app.line(/handler started/);
    const terminatedAt = Date.now();
    app.terminate();
    const exit = await app.exited;
    const elapsed = Date.now() - terminatedAt;

    const db = new DataSource({ type: 'better-sqlite3', database: file });
    await db.initialize();
    const [row] = await db.query('SELECT status, attempts, lease_owner, next_attempt_at FROM webhook_deliveries WHERE id = ?', [response.body.id]);
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
