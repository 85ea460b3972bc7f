// nestjs-payment-webhooks/testing: sign deliveries exactly as providers do, for your own tests.
export type { SignedRequest } from './signed-request';
export { signStripe, stripeEvent, type SignStripeOptions } from './sign-stripe';
export { paystackEvent, signPaystack, type SignPaystackOptions } from './sign-paystack';
export { feexpayEvent, signFeexpay, type FeexpayTestEvent, type SignFeexpayOptions } from './sign-feexpay';
export { payqiEvent, signPayqi, type SignPayqiOptions } from './sign-payqi';
export { signStandardWebhooks, type SignStandardWebhooksOptions } from './sign-standard-webhooks';
export { mvolaCallback, mvolaCallbackBody, type MvolaCallbackOptions, type MvolaCallbackRequest } from './mvola-callback';
export { startFakeMvolaApi, type FakeMvolaApi, type FakeMvolaApiOptions, type FakeMvolaStatus } from './fake-mvola-api';
export { inboxStoreContract, type InboxStoreContractCase, type InboxStoreFactory, type InboxStoreUnderTest } from './inbox-store.contract';
export { InMemoryInboxStore } from '../store/in-memory-inbox.store';
