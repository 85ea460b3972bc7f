import type { EntityManager, FindOneOptions } from 'typeorm';

/**
 * `SELECT … FOR UPDATE` on PostgreSQL, so concurrent handlers of one registration take turns. SQLite
 * has no row locks and needs none: its writers are serialized (WebhookDeliveries.transaction).
 */
export function rowLock(manager: EntityManager): FindOneOptions['lock'] {
  return manager.connection.options.type === 'postgres' ? { mode: 'pessimistic_write' } : undefined;
}
