'use strict';
// Unique Stripe `checkout.session.completed` events, pretty-printed and signed as Stripe sends them. Event
// number i pays the registration whose reference is `reference(i)`: the bench seeds those registrations
// (PENDING, price PRICE_MINOR CURRENCY, provider "stripe") before it sends the events, so every delivery
// moves one distinct registration PENDING → PAID, in the demo as in the hand-written receivers.

const { randomBytes } = require('node:crypto');
const Stripe = require('stripe');

/** The seeded event's price: the checkout must pay exactly this, or the demo records a payment issue instead of PAID. */
const PRICE_MINOR = 5000;
const CURRENCY = 'EUR';

class StripeEvents {
  constructor(secret) {
    this.secret = secret;
    this.tag = randomBytes(4).toString('hex');
    this.next = 0;
  }

  /** `count` fresh event numbers, never handed out again in this run. */
  reserve(count) {
    const start = this.next;
    this.next += count;
    return { start, count };
  }

  /** The prefix of every reference; the seeding SQL appends the number. */
  get referencePrefix() {
    return `REG-B${this.tag}-`;
  }

  reference(n) {
    return `${this.referencePrefix}${n}`;
  }

  body(n, created) {
    const id = `${this.tag}${n.toString(36).padStart(7, '0')}`;
    const event = {
      id: `evt_1Bench${id}`,
      object: 'event',
      api_version: '2025-01-27.acacia',
      created,
      data: {
        object: {
          id: `cs_test_a1Bench${id}`,
          object: 'checkout.session',
          amount_subtotal: PRICE_MINOR,
          amount_total: PRICE_MINOR,
          client_reference_id: this.reference(n),
          created: created - 60,
          currency: CURRENCY.toLowerCase(),
          customer: null,
          customer_details: { address: null, email: `buyer-${n}@example.com`, name: 'Ada Lovelace', phone: null, tax_exempt: 'none', tax_ids: [] },
          expires_at: created + 86340,
          livemode: false,
          metadata: {},
          mode: 'payment',
          payment_intent: `pi_3Bench${id}`,
          payment_method_types: ['card'],
          payment_status: 'paid',
          status: 'complete',
          success_url: 'https://example.com/registrations/success',
          total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
        },
      },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'checkout.session.completed',
    };
    return JSON.stringify(event, null, 2);
  }

  /** Event number `n`, signed at `timestamp` (Unix seconds, default now): a ready-made request body and headers. */
  signed(n, timestamp = Math.floor(Date.now() / 1000)) {
    const body = this.body(n, timestamp);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: this.secret, timestamp });
    return {
      body: Buffer.from(body),
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        'stripe-signature': signature,
      },
    };
  }

  /** Every event of a reserved range, signed now. */
  signRange(range) {
    const timestamp = Math.floor(Date.now() / 1000);
    const events = new Array(range.count);
    for (let i = 0; i < range.count; i++) events[i] = this.signed(range.start + i, timestamp);
    return events;
  }
}

module.exports = { StripeEvents, PRICE_MINOR, CURRENCY };
