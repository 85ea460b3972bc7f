import { DataSource, type DataSourceOptions } from 'typeorm';
import { WEBHOOK_ENTITIES, WebhookDeliveryEntity, WebhookMigrator, TypeOrmInboxStore } from 'nestjs-payment-webhooks';
import { createTestDatabase, type TestDatabase } from './support/test-database';

describe('WEBHOOK_ENTITIES map exactly the tables the migrations create', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource({ ...(database.options as DataSourceOptions), entities: WEBHOOK_ENTITIES });
    await dataSource.initialize();
    await new WebhookMigrator(dataSource).migrate();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('TypeORM finds nothing to change in the migrated schema', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('reads a stored delivery, its payload and its handler outcomes through a repository', async () => {
    const store = new TypeOrmInboxStore(dataSource);
    const receivedAt = new Date('2026-11-25T12:00:00.000Z');
    const { id } = await store.insertOrFind({ provider: 'stripe', eventId: 'evt_entity', type: 'checkout.session.completed', rawBody: '{}', headers: { a: 'b' }, reference: 'REF-E', receivedAt });
    const [claimed] = await store.claimDue({ owner: 'me', now: receivedAt, leaseMs: 1000, limit: 1 });
    await store.recordHandler(claimed.id, 'me', { handler: 'Orders.paid', status: 'succeeded' }, receivedAt);

    const delivery = await dataSource.getRepository(WebhookDeliveryEntity).findOneOrFail({ where: { id }, relations: { handlerRuns: true, payload: true } });
    expect(delivery).toMatchObject({ provider: 'stripe', eventId: 'evt_entity', status: 'processing', reference: 'REF-E', receivedAt, attempts: 1 });
    expect(delivery.payload).toMatchObject({ rawBody: '{}', headers: '{"a":"b"}' });
    expect(delivery.handlerRuns).toEqual([expect.objectContaining({ handler: 'Orders.paid', status: 'succeeded', updatedAt: receivedAt })]);
  });
});
