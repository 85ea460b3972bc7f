import { CreateWebhookInbox1764000000000 } from './1764000000000-create-webhook-inbox';

/** The library's migrations in order. Also usable in your own TypeORM `migrations` list. */
export const WEBHOOK_MIGRATIONS = [CreateWebhookInbox1764000000000];
