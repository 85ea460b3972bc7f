import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { checkoutCompleted } from './stripe-fixtures';

/** A real process running test/fixtures/app-process.main.ts; lines of its output can be awaited. */
export class AppProcess {
  readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>) {
    const root = join(__dirname, '..', '..');
    this.child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(root, 'test/fixtures/app-process.main.ts')], {
      cwd: root,
      env: { ...process.env, ...env, TS_NODE_PROJECT: 'tsconfig.json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean));
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  async line(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.output.find((line) => pattern.test(line));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in:\n${this.output.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async url(): Promise<string> {
    return `http://127.0.0.1:${(await this.line(/^listening \d+/)).split(' ')[1]}`;
  }

  /** Posts one signed checkout.session.completed for `reference`; resolves to the stored delivery id. */
  async deliver(reference: string): Promise<string> {
    const signed = signStripe({
      secret: 'whsec_test_processes',
      payload: checkoutCompleted(reference),
    });
    const response = await request(await this.url()).post('/webhooks/stripe').set(signed.headers).send(signed.body);
    if (response.status !== 200) throw new Error(`delivery refused: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.id;
  }

  terminate(): void {
    this.child.kill('SIGTERM');
  }
}
