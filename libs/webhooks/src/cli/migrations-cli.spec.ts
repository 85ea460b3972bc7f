import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrationsCli } from './migrations-cli';

describe('nestjs-payment-webhooks CLI', () => {
  const file = join(tmpdir(), `webhooks-cli-${process.pid}-${Date.now()}.sqlite`);
  afterAll(() => rmSync(file, { force: true }));

  async function run(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runMigrationsCli(argv, {}, { out: (line) => out.push(line), err: (line) => err.push(line) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('status exits 1 while behind, migrate applies once, then status exits 0', async () => {
    const behind = await run('status', '--url', `sqlite:${file}`);
    expect(behind).toMatchObject({ code: 1, out: expect.stringContaining('pending  CreateWebhookInbox1764000000000') });
    expect(behind.out).toContain('run "nestjs-payment-webhooks migrate"');

    expect(await run('migrate', '--url', file)).toMatchObject({ code: 0, out: 'Applied 1 migration(s): CreateWebhookInbox1764000000000' });
    expect(await run('migrate', '--url', file)).toMatchObject({ code: 0, out: 'The webhook inbox schema is up to date.' });
    expect(await run('status', '--url', file)).toMatchObject({ code: 0, out: 'applied  CreateWebhookInbox1764000000000' });
  });

  it('sql prints the statements, ending with the version bookkeeping', async () => {
    const { code, out } = await run('sql', '--url', join(tmpdir(), `webhooks-cli-sql-${process.pid}.sqlite`));
    expect(code).toBe(0);
    expect(out).toMatch(/CREATE TABLE "webhook_deliveries"/);
    expect(out).toMatch(/CREATE TABLE "webhook_handler_runs"/);
    expect(out.trim().split('\n').at(-1)).toMatch(/^INSERT INTO webhook_schema_migrations .*CreateWebhookInbox1764000000000/);
    rmSync(join(tmpdir(), `webhooks-cli-sql-${process.pid}.sqlite`), { force: true });
  });

  it('explains itself: --help, no database, unknown command', async () => {
    expect(await run('--help')).toMatchObject({ code: 0, out: expect.stringContaining('Usage: nestjs-payment-webhooks <command>') });
    expect(await run('status')).toMatchObject({ code: 2, err: 'No database: pass --url <database-url> or set DATABASE_URL.' });
    expect(await run('frobnicate', '--url', file)).toMatchObject({ code: 2, err: expect.stringContaining('Unknown command "frobnicate"') });
  });
});
