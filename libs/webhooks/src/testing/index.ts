// nestjs-payment-webhooks/testing: sign deliveries exactly as providers do, for your own tests.
export type { SignedRequest } from './signed-request';
export { signStripe, stripeEvent, type SignStripeOptions } from './sign-stripe';
