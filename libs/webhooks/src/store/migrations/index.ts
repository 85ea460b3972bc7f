import { CreateWebhookInbox1764000000000 } from './1764000000000-create-webhook-inbox';
import { SeparateWebhookPayloads1765000000000 } from './1765000000000-separate-webhook-payloads';

/** The library's migrations in order. Also usable in your own TypeORM `migrations` list. */
export const WEBHOOK_MIGRATIONS = [CreateWebhookInbox1764000000000, SeparateWebhookPayloads1765000000000];
