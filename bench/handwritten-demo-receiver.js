'use strict';
// The end-to-end baseline on PostgreSQL: the demo's payment handling written by hand, inline in the
// request, as a careful developer would after reading Stripe's docs. Express with the raw body,
// `stripe.webhooks.constructEvent`, then ONE transaction on a default `pg` pool: insert-or-ignore the
// event id (the dedupe), and for a new checkout.session.completed move the registration the way the
// demo's RegistrationPaymentsHandler.onCompleted does (PENDING → PAID with paid_at; a wrong amount,
// currency or provider records a payment issue; PAID/REFUNDED stay; FAILED/EXPIRED take a seat again if
// one is free), then 200. No inbox, no retries: a failure answers 500 and Stripe redelivers.
//
// Uses the demo's tables (events, registrations), created by the bench with the demo's migrations.
// Environment: PORT, DATABASE_URL, STRIPE_WEBHOOK_SECRET. Started by bench/run.js.

const express = require('express');
const { Pool } = require('pg');
const Stripe = require('stripe');

const port = Number(process.env.PORT || 3003);
const secret = process.env.STRIPE_WEBHOOK_SECRET;
if (!secret || !process.env.DATABASE_URL) {
  console.error('handwritten-demo-receiver: set DATABASE_URL and STRIPE_WEBHOOK_SECRET');
  process.exit(1);
}

// The API key is never used: constructEvent verifies locally, without any network call.
const stripe = new Stripe('sk_test_unused_by_webhook_verification');
const pool = new Pool({ connectionString: process.env.DATABASE_URL });

const app = express();

app.post('/webhooks/stripe', express.raw({ type: 'application/json' }), async (req, res) => {
  let event;
  try {
    event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'], secret);
  } catch (err) {
    res.status(400).send(`Webhook Error: ${err.message}`);
    return;
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const fresh = await client.query('INSERT INTO handwritten_processed_events (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [event.id]);
    if (fresh.rowCount === 1) await handle(client, event);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    console.error(`handwritten-demo-receiver: could not handle ${event.id}: ${err.message}`);
    res.status(500).json({ error: 'could not handle the event' });
    return;
  } finally {
    client.release();
  }
  res.json({ received: true });
});

/** checkout.session.completed (paid): the registration its client_reference_id names. */
async function handle(client, event) {
  if (event.type !== 'checkout.session.completed' && event.type !== 'checkout.session.async_payment_succeeded') return;
  const session = event.data.object;
  if (session.payment_status === 'unpaid') return;
  const reference = session.client_reference_id || (session.metadata && session.metadata.reference);
  if (!reference) return;
  const { rows } = await client.query(
    `SELECT r.id, r.status, r.provider, r.event_id, e.price_minor, e.currency
     FROM registrations r JOIN events e ON e.id = r.event_id WHERE r.reference = $1 FOR UPDATE OF r`,
    [reference],
  );
  const registration = rows[0];
  // Unknown reference: nothing to do, and a redelivery would not find it either.
  if (!registration || registration.status === 'PAID' || registration.status === 'REFUNDED') return;
  const now = Date.now();
  const amount = session.amount_total;
  const currency = typeof session.currency === 'string' ? session.currency.toUpperCase() : undefined;
  const transactionId = typeof session.payment_intent === 'string' ? session.payment_intent : session.id;
  if (registration.provider !== 'stripe' || amount !== Number(registration.price_minor) || currency !== registration.currency) {
    const issue = {
      received: { provider: 'stripe', amountMinor: amount, currency, transactionId },
      expected: { provider: registration.provider, amountMinor: Number(registration.price_minor), currency: registration.currency },
      at: new Date(now).toISOString(),
    };
    await client.query('UPDATE registrations SET payment_issue = $2, updated_at = $3 WHERE id = $1', [registration.id, JSON.stringify(issue), now]);
    return;
  }
  if (registration.status !== 'PENDING') {
    const seat = await client.query('UPDATE events SET seats_left = seats_left - 1 WHERE id = $1 AND seats_left > 0', [registration.event_id]);
    if (seat.rowCount === 0) return;
  }
  await client.query(
    `UPDATE registrations SET status = 'PAID', paid_at = $2, payment_transaction_id = $3, updated_at = $2 WHERE id = $1`,
    [registration.id, now, transactionId],
  );
}

app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});

async function main() {
  await pool.query('CREATE TABLE IF NOT EXISTS handwritten_processed_events (id text PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now())');
  const server = app.listen(port, '127.0.0.1', () => {
    console.log(`handwritten-demo-receiver listening on http://127.0.0.1:${port}`);
  });
  const stop = () => {
    server.close();
    pool.end().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started with an IPC channel by bench/run.js: if the bench dies, so does this process.
  if (process.channel) {
    process.on('disconnect', stop);
    process.channel.unref();
  }
}

main().catch((err) => {
  console.error(`handwritten-demo-receiver: ${err.stack || err}`);
  process.exit(1);
});
