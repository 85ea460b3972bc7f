import { CreateEventsAndRegistrations1764100000000 } from './1764100000000-create-events-and-registrations';
import { AddRegistrationPaymentIssue1764200000000 } from './1764200000000-add-registration-payment-issue';
import { AddRegistrationReconciliation1764300000000 } from './1764300000000-add-registration-reconciliation';

/** The demo's migrations, in order; listed as classes so the webpack bundle needs no file globs. */
export const DEMO_MIGRATIONS = [CreateEventsAndRegistrations1764100000000, AddRegistrationPaymentIssue1764200000000, AddRegistrationReconciliation1764300000000];
