/**
 * Runs the fake MVola API for the demo: `npx ts-node libs/webhooks/src/testing/fake-mvola-api.main.ts`.
 * Env: PORT (default 4010), HOST (default 127.0.0.1), FAKE_MVOLA_CONSUMER_KEY / FAKE_MVOLA_CONSUMER_SECRET.
 */
import { startFakeMvolaApi } from './fake-mvola-api';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${process.env.PORT}".`);
  const fake = await startFakeMvolaApi({
    port,
    host: process.env.HOST ?? '127.0.0.1',
    consumerKey: process.env.FAKE_MVOLA_CONSUMER_KEY,
    consumerSecret: process.env.FAKE_MVOLA_CONSUMER_SECRET,
  });
  // These are the fake's own test credentials, printed so the demo can be pointed at it.
  console.log(
    [
      `Fake MVola API listening on ${fake.url}`,
      `  consumer key:    ${fake.consumerKey}`,
      `  consumer secret: ${fake.consumerSecret}`,
      'Point the demo at it:',
      `  MVOLA_API_BASE_URL=${fake.url} MVOLA_CONSUMER_KEY=${fake.consumerKey} MVOLA_CONSUMER_SECRET=${fake.consumerSecret}`,
      'Call back a started payment (the fake PUTs to its X-Callback-URL):',
      `  curl -X POST ${fake.url}/_fake/payments/<serverCorrelationId>/callback -d '{"status":"completed"}'`,
      `List payments: curl ${fake.url}/_fake/payments`,
    ].join('\n'),
  );
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
