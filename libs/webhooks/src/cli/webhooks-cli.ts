import { parseArgs } from 'node:util';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { TypeOrmInboxStore } from '../store/typeorm-inbox.store';
import { WebhookMigrator } from '../store/webhook-migrator';
import type { CliIo } from './cli-io';
import { runSendCommand } from './send-command';

export type { CliIo } from './cli-io';

const USAGE = `Usage: nestjs-payment-webhooks <command> [--url <database-url>]

Commands:
  migrate   apply the library's pending migrations (in one transaction, under a lock on PostgreSQL)
  status    list applied and pending migrations; exits 1 while the schema is behind (for CI)
  sql       print the SQL of every migration, for teams that run their own migration tool
  replay <delivery id> [--all-handlers]
            make a processed, failed or dead delivery due again (a running app picks it up)
  send <endpoint> --url <app base url> --reference <ref> --amount <minor units> --currency <code>
            send the app a provider event signed as the provider signs it (send --help: every option)

The database comes from --url or DATABASE_URL: postgres://user@host:5432/db, or a SQLite file
(sqlite:./data/app.sqlite or a plain path). For send, --url is the app's base URL.`;

/** Runs one CLI command; resolves to the process exit code. */
export async function runWebhooksCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  // send has options of its own and never opens a database.
  if (argv[0] === 'send') return runSendCommand(argv.slice(1), env, io);
  let parsed: { command?: string; target?: string; url?: string; help?: boolean; allHandlers?: boolean };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' }, 'all-handlers': { type: 'boolean' } },
      allowPositionals: true,
    });
    parsed = { command: positionals[0], target: positionals[1], url: values.url, help: values.help, allHandlers: values['all-handlers'] };
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    io.out(USAGE);
    return 0;
  }
  const command = parsed.command;
  if (!command || !['migrate', 'status', 'sql', 'replay'].includes(command)) {
    io.err(`${command ? `Unknown command "${command}".` : 'Name a command.'}\n\n${USAGE}`);
    return 2;
  }
  if (command === 'replay' && !parsed.target) {
    io.err('Name the delivery to replay: nestjs-payment-webhooks replay <delivery id>.');
    return 2;
  }
  const url = parsed.url ?? env.DATABASE_URL;
  if (!url) {
    io.err('No database: pass --url <database-url> or set DATABASE_URL.');
    return 2;
  }
  const dataSource = new DataSource(dataSourceOptions(url));
  try {
    await dataSource.initialize();
    const migrator = new WebhookMigrator(dataSource);
    if (command === 'migrate') {
      const applied = await migrator.migrate();
      io.out(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The webhook inbox schema is up to date.');
      return 0;
    }
    if (command === 'status') {
      const { applied, pending } = await migrator.status();
      for (const name of applied) io.out(`applied  ${name}`);
      for (const name of pending) io.out(`pending  ${name}`);
      if (pending.length) io.out(`The schema is behind: run "nestjs-payment-webhooks migrate".`);
      return pending.length ? 1 : 0;
    }
    if (command === 'replay') {
      const replayed = await new TypeOrmInboxStore(dataSource).replay(parsed.target!, new Date(), { allHandlers: parsed.allHandlers });
      if (replayed) io.out(`Delivery ${parsed.target} is due again${parsed.allHandlers ? ', every handler will run' : ''}.`);
      else io.err(`No processed, failed or dead delivery ${parsed.target} to replay.`);
      return replayed ? 0 : 1;
    }
    for (const statement of await migrator.sql()) io.out(`${statement};`);
    return 0;
  } catch (error) {
    io.err(`${command} failed: ${(error as Error).message}`);
    return 1;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

function dataSourceOptions(url: string): DataSourceOptions {
  if (/^postgres(ql)?:\/\//.test(url)) return { type: 'postgres', url };
  return { type: 'better-sqlite3', database: url.replace(/^sqlite:(\/\/)?/, '') };
}
