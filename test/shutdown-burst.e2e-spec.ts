import { randomUUID } from 'node:crypto';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { DataSource } from 'typeorm';
import { AppProcess } from './support/app-process';
import { checkoutCompleted } from './support/stripe-fixtures';

// SIGTERM right after a burst, on PostgreSQL, many times: a clean exit leaves no row leased, and idle
// keep-alive connections do not hold the exit. SHUTDOWN_TRIALS raises the count (default 8).
const onPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;
const TRIALS = Number(process.env.SHUTDOWN_TRIALS ?? 8);
const BURST = 40;
const AT_ONCE = 4;

onPostgres('SIGTERM after a burst on PostgreSQL', () => {
  const url = process.env.TEST_DATABASE_URL!;
  let admin: DataSource;
  beforeAll(async () => {
    admin = new DataSource({ type: 'postgres', url });
    await admin.initialize();
  });
  afterAll(() => admin?.destroy());

  async function trial(index: number) {
    const schema = `t_burst_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      const app = new AppProcess({ DATABASE_URL: url, DATABASE_SCHEMA: schema, HANDLER_MS: '5', LEASE_MS: '120000' });
      const base = await app.url();
      // fetch keeps its connections alive: they are idle when the signal comes.
      const answers = await Promise.all(
        Array.from({ length: BURST }, (_, i) => {
          const signed = signStripe({ secret: 'whsec_test_processes', payload: checkoutCompleted(`BURST-${index}-${i}`) });
          return fetch(`${base}/webhooks/stripe`, { method: 'POST', headers: signed.headers, body: signed.body }).then((response) => response.status);
        }),
      );
      // The worker is mid-way through claiming and running the burst.
      await new Promise((resolve) => setTimeout(resolve, (index * 7) % 30));
      const signalledAt = Date.now();
      app.terminate();
      const exit = await app.exited;
      const exitMs = Date.now() - signalledAt;
      const leased = await admin.query(`SELECT id, status, attempts, lease_owner, updated_at, received_at, (SELECT count(*) FROM ${schema}.webhook_handler_runs r WHERE r.delivery_id = d.id) AS runs FROM ${schema}.webhook_deliveries d WHERE status = 'processing' OR lease_owner IS NOT NULL`);
      const [{ count }] = await admin.query(`SELECT count(*)::int AS count FROM ${schema}.webhook_deliveries`);
      return { answers, exit, exitMs, leased, stored: count, output: app.output };
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  }

  it(`leaves nothing leased after a clean exit, in ${TRIALS} trials`, async () => {
    const results = [];
    for (let start = 0; start < TRIALS; start += AT_ONCE) {
      results.push(...(await Promise.all(Array.from({ length: Math.min(AT_ONCE, TRIALS - start) }, (_, i) => trial(start + i)))));
    }
    for (const { answers, exit, exitMs, leased, stored, output } of results) {
      expect(answers).toEqual(Array(BURST).fill(200));
      expect(stored).toBe(BURST);
      expect({ exit, leased }).toEqual({ exit: { code: null, signal: 'SIGTERM' }, leased: [] });
      // Handlers take 5 ms and the grace period is 10 s: only an idle connection could hold the exit.
      expect({ exitMs: exitMs < 3000, output }).toEqual({ exitMs: true, output });
    }
  }, 120_000);
});
