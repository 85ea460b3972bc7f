import { CreateEventsAndRegistrations1764100000000 } from './1764100000000-create-events-and-registrations';

/** The demo's migrations, in order; listed as classes so the webpack bundle needs no file globs. */
export const DEMO_MIGRATIONS = [CreateEventsAndRegistrations1764100000000];
