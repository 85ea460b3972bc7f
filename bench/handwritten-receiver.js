'use strict';
// The baseline: the Stripe webhook receiver a careful developer writes by hand, following Stripe's
// documentation. Express with the raw body on the webhook route, `stripe.webhooks.constructEvent`, one
// idempotent INSERT into PostgreSQL (default `pg` pool), then 200. No processing, no retries, no inbox.
//
// Environment: PORT, DATABASE_URL, STRIPE_WEBHOOK_SECRET. Started by bench/run.js.

const express = require('express');
const { Pool } = require('pg');
const Stripe = require('stripe');

const port = Number(process.env.PORT || 3001);
const secret = process.env.STRIPE_WEBHOOK_SECRET;
if (!secret || !process.env.DATABASE_URL) {
  console.error('handwritten-receiver: set DATABASE_URL and STRIPE_WEBHOOK_SECRET');
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
  try {
    await pool.query(
      'INSERT INTO handwritten_stripe_events (id, type, payload) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
      [event.id, event.type, req.body.toString('utf8')],
    );
  } catch (err) {
    console.error(`handwritten-receiver: could not store ${event.id}: ${err.message}`);
    res.status(500).json({ error: 'could not store the event' });
    return;
  }
  res.json({ received: true });
});

app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});

async function main() {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS handwritten_stripe_events (
       id text PRIMARY KEY,
       type text NOT NULL,
       payload text NOT NULL,
       received_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
  const server = app.listen(port, '127.0.0.1', () => {
    console.log(`handwritten-receiver listening on http://127.0.0.1:${port}`);
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
  console.error(`handwritten-receiver: ${err.stack || err}`);
  process.exit(1);
});
