#!/usr/bin/env node
import { runWebhooksCli } from './webhooks-cli';

runWebhooksCli(process.argv.slice(2), process.env, { out: (line) => console.log(line), err: (line) => console.error(line) }).then(
  (code) => process.exit(code),
);
