import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { runWebhooksCli } from './webhooks-cli';

describe('nestjs-payment-webhooks CLI', () => {
  const file = join(tmpdir(), `webhooks-cli-${process.pid}-${Date.now()}.sqlite`);
  afterAll(() => rmSync(file, { force: true }));

  async function run(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runWebhooksCli(argv, {}, { out: (line) => out.push(line), err: (line) => err.push(line) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('status exits 1 while behind, migrate applies once, then status exits 0', async () => {
    const behind = await run('status', '--url', `sqlite:${file}`);
    expect(behind).toMatchObject({ code: 1, out: expect.stringContaining('pending  CreateWebhookInbox1764000000000') });
    expect(behind.out).toContain('run "nestjs-payment-webhooks migrate"');

    expect(await run('migrate', '--url', file)).toMatchObject({ code: 0, out: 'Applied 2 migration(s): CreateWebhookInbox1764000000000, SeparateWebhookPayloads1765000000000' });
    expect(await run('migrate', '--url', file)).toMatchObject({ code: 0, out: 'The webhook inbox schema is up to date.' });
    expect(await run('status', '--url', file)).toMatchObject({ code: 0, out: 'applied  CreateWebhookInbox1764000000000\napplied  SeparateWebhookPayloads1765000000000' });
  });

  it('sql prints the statements, ending with the version bookkeeping', async () => {
    const { code, out } = await run('sql', '--url', join(tmpdir(), `webhooks-cli-sql-${process.pid}.sqlite`));
    expect(code).toBe(0);
    expect(out).toMatch(/CREATE TABLE "webhook_deliveries"/);
    expect(out).toMatch(/CREATE TABLE "webhook_handler_runs"/);
    expect(out).toMatch(/CREATE TABLE "webhook_delivery_payloads"/);
    expect(out).toMatch(/^ALTER TABLE webhook_deliveries DROP COLUMN raw_body;$/m);
    expect(out.trim().split('\n').slice(-2)).toEqual([
      expect.stringMatching(/^INSERT INTO webhook_schema_migrations .*CreateWebhookInbox1764000000000/),
      expect.stringMatching(/^INSERT INTO webhook_schema_migrations .*SeparateWebhookPayloads1765000000000/),
    ]);
    rmSync(join(tmpdir(), `webhooks-cli-sql-${process.pid}.sqlite`), { force: true });
  });

  it('replay makes a dead delivery due again, and says when there is nothing to replay', async () => {
    const db = new DataSource({ type: 'better-sqlite3', database: file });
    await db.initialize();
    await db.query(
      `INSERT INTO webhook_deliveries (id, provider, event_id, type, status, attempts, received_at, updated_at)
       VALUES ('11111111-1111-4111-8111-111111111111', 'stripe', 'evt_1', 'x', 'dead', 8, 1, 1)`,
    );
    await db.query(`INSERT INTO webhook_delivery_payloads (delivery_id, raw_body, headers) VALUES ('11111111-1111-4111-8111-111111111111', '{}', '{}')`);
    expect(await run('replay', '11111111-1111-4111-8111-111111111111', '--url', file)).toMatchObject({ code: 0, out: 'Delivery 11111111-1111-4111-8111-111111111111 is due again.' });
    const [row] = await db.query(`SELECT status, attempts FROM webhook_deliveries`);
    await db.destroy();
    expect(row).toEqual({ status: 'pending', attempts: 0 });
    expect(await run('replay', '11111111-1111-4111-8111-111111111111', '--url', file)).toMatchObject({ code: 1, err: expect.stringContaining('No processed, failed or dead delivery') });
    expect(await run('replay', '--url', file)).toMatchObject({ code: 2 });
  });

  it('explains itself: --help, no database, unknown command', async () => {
    expect(await run('--help')).toMatchObject({ code: 0, out: expect.stringContaining('Usage: nestjs-payment-webhooks <command>') });
    expect(await run('status')).toMatchObject({ code: 2, err: 'No database: pass --url <database-url> or set DATABASE_URL.' });
    expect(await run('frobnicate', '--url', file)).toMatchObject({ code: 2, err: expect.stringContaining('Unknown command "frobnicate"') });
  });
});
