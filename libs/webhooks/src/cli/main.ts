#!/usr/bin/env node
import { runMigrationsCli } from './migrations-cli';

runMigrationsCli(process.argv.slice(2), process.env, { out: (line) => console.log(line), err: (line) => console.error(line) }).then(
  (code) => process.exit(code),
);
