// Sends the demo a Stripe event signed exactly as Stripe would, so the flow can be tried without a
// Stripe account: npm run demo:pay -- <registration reference> [paid|failed|expired|refunded]
import { signStripe, stripeEvent } from 'nestjs-payment-webhooks/testing';

const OUTCOMES = {
  paid: 'checkout.session.completed',
  failed: 'checkout.session.async_payment_failed',
  expired: 'checkout.session.expired',
  refunded: 'charge.refunded',
} as const;

async function main(): Promise<void> {
  const [reference, outcome = 'paid'] = process.argv.slice(2);
  if (!reference || !(outcome in OUTCOMES)) {
    console.error(`Usage: npm run demo:pay -- <registration reference> [${Object.keys(OUTCOMES).join('|')}]`);
    process.exit(2);
  }
  const type = OUTCOMES[outcome as keyof typeof OUTCOMES];
  const object =
    type === 'charge.refunded'
      ? { id: `ch_${reference}`, object: 'charge', amount: 5000, amount_refunded: 5000, currency: 'eur', metadata: { reference } }
      : {
          id: `cs_${reference}`,
          object: 'checkout.session',
          client_reference_id: reference,
          amount_total: 5000,
          currency: 'eur',
          payment_status: outcome === 'paid' ? 'paid' : 'unpaid',
          status: outcome === 'expired' ? 'expired' : 'complete',
          metadata: {},
        };
  const secret = (process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_dev_demo_only').split(',')[0].trim();
  const url = `${process.env.PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? 3000}`}/webhooks/stripe`;
  const signed = signStripe({ payload: stripeEvent(type, object), secret });
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
  console.log(`${type} → ${response.status} ${await response.text()}`);
  process.exit(response.ok ? 0 : 1);
}

void main();
