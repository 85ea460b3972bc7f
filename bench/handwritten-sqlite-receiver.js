'use strict';
// The baselines on SQLite, with better-sqlite3 (WAL, as the demo opens its file). Express with the raw body,
// `stripe.webhooks.constructEvent`, then one synchronous transaction, then 200:
//   HANDLE=1 (default): insert-or-ignore the event id, and for a new checkout.session.completed move the
//     registration the way the demo's handler does (PENDING → PAID with paid_at; a mismatch records a
//     payment issue; PAID/REFUNDED stay; FAILED/EXPIRED take a seat again if one is free). The demo's tables
//     come from the demo's migrations, run by the bench.
//   HANDLE=0: store the event (id, type, payload) with INSERT … ON CONFLICT DO NOTHING and nothing else, like
//     handwritten-receiver.js on PostgreSQL.
// Environment: PORT, SQLITE_PATH, STRIPE_WEBHOOK_SECRET, HANDLE. Started by bench/run.js.

const Database = require('better-sqlite3');
const express = require('express');
const Stripe = require('stripe');

const port = Number(process.env.PORT || 3004);
const secret = process.env.STRIPE_WEBHOOK_SECRET;
const handles = process.env.HANDLE !== '0';
if (!secret || !process.env.SQLITE_PATH) {
  console.error('handwritten-sqlite-receiver: set SQLITE_PATH and STRIPE_WEBHOOK_SECRET');
  process.exit(1);
}

const stripe = new Stripe('sk_test_unused_by_webhook_verification');
const db = new Database(process.env.SQLITE_PATH, { timeout: 5000 });
db.pragma('journal_mode = WAL');
db.pragma('foreign_keys = ON');

let receive;
if (handles) {
  db.exec('CREATE TABLE IF NOT EXISTS handwritten_processed_events (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL)');
  const remember = db.prepare('INSERT INTO handwritten_processed_events (id, received_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
  const find = db.prepare(
    `SELECT r.id, r.status, r.provider, r.event_id, e.price_minor, e.currency
     FROM registrations r JOIN events e ON e.id = r.event_id WHERE r.reference = ?`,
  );
  const recordIssue = db.prepare('UPDATE registrations SET payment_issue = ?, updated_at = ? WHERE id = ?');
  const takeSeat = db.prepare('UPDATE events SET seats_left = seats_left - 1 WHERE id = ? AND seats_left > 0');
  const markPaid = db.prepare(`UPDATE registrations SET status = 'PAID', paid_at = ?, payment_transaction_id = ?, updated_at = ? WHERE id = ?`);

  const handle = (event, now) => {
    if (event.type !== 'checkout.session.completed' && event.type !== 'checkout.session.async_payment_succeeded') return;
    const session = event.data.object;
    if (session.payment_status === 'unpaid') return;
    const reference = session.client_reference_id || (session.metadata && session.metadata.reference);
    if (!reference) return;
    // No row lock needed: SQLite runs one writer at a time, and this process is the only one.
    const registration = find.get(reference);
    if (!registration || registration.status === 'PAID' || registration.status === 'REFUNDED') return;
    const amount = session.amount_total;
    const currency = typeof session.currency === 'string' ? session.currency.toUpperCase() : undefined;
    const transactionId = typeof session.payment_intent === 'string' ? session.payment_intent : session.id;
    if (registration.provider !== 'stripe' || amount !== Number(registration.price_minor) || currency !== registration.currency) {
      const issue = {
        received: { provider: 'stripe', amountMinor: amount, currency, transactionId },
        expected: { provider: registration.provider, amountMinor: Number(registration.price_minor), currency: registration.currency },
        at: new Date(now).toISOString(),
      };
      recordIssue.run(JSON.stringify(issue), now, registration.id);
      return;
    }
    if (registration.status !== 'PENDING' && takeSeat.run(registration.event_id).changes === 0) return;
    markPaid.run(now, transactionId, now, registration.id);
  };
  // BEGIN IMMEDIATE: the write lock up front, so a concurrent reader never turns this into a busy upgrade.
  receive = db.transaction((event) => {
    const now = Date.now();
    if (remember.run(event.id, now).changes === 1) handle(event, now);
  }).immediate;
} else {
  db.exec('CREATE TABLE IF NOT EXISTS handwritten_stripe_events (id TEXT PRIMARY KEY, type TEXT NOT NULL, payload TEXT NOT NULL, received_at INTEGER NOT NULL)');
  const store = db.prepare('INSERT INTO handwritten_stripe_events (id, type, payload, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
  receive = (event, payload) => store.run(event.id, event.type, payload, Date.now());
}

const app = express();

app.post('/webhooks/stripe', express.raw({ type: 'application/json' }), (req, res) => {
  let event;
  try {
    event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'], secret);
  } catch (err) {
    res.status(400).send(`Webhook Error: ${err.message}`);
    return;
  }
  try {
    receive(event, req.body.toString('utf8'));
  } catch (err) {
    console.error(`handwritten-sqlite-receiver: could not ${handles ? 'handle' : 'store'} ${event.id}: ${err.message}`);
    res.status(500).json({ error: 'could not handle the event' });
    return;
  }
  res.json({ received: true });
});

app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`handwritten-sqlite-receiver (${handles ? 'handle' : 'store'}) listening on http://127.0.0.1:${port}`);
});
const stop = () => {
  server.close();
  db.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Started with an IPC channel by bench/run.js: if the bench dies, so does this process.
if (process.channel) {
  process.on('disconnect', stop);
  process.channel.unref();
}
