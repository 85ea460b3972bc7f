import { inboxStoreContract } from '../testing/inbox-store.contract';
import { InMemoryInboxStore } from './in-memory-inbox.store';

describe('InMemoryInboxStore', () => {
  describe('inbox store contract', () => {
    for (const contractCase of inboxStoreContract(async () => ({ store: new InMemoryInboxStore(), close: async () => undefined }))) {
      it(contractCase.name, () => contractCase.run());
    }
  });

  it('refuses database work in its transaction, with a message that says why', async () => {
    const store = new InMemoryInboxStore();
    await expect(store.transaction((manager) => manager.query('SELECT 1'))).rejects.toThrow(/manager\.query\(\) is not available, this transaction is not a database/);
  });

  it('refuses a manager that does not come from its own transaction', async () => {
    const store = new InMemoryInboxStore();
    const { id } = await store.insertOrFind({ provider: 'stripe', eventId: 'evt_1', type: 't', rawBody: '{}', headers: {}, receivedAt: new Date(0) });
    await store.claimDue({ owner: 'a', now: new Date(0), leaseMs: 1000, limit: 1 });
    const foreign = await new InMemoryInboxStore().transaction(async (manager) => manager);
    await expect(store.recordHandler(id, 'a', { handler: 'h', status: 'succeeded' }, new Date(1), foreign)).rejects.toThrow(/does not come from this store/);
  });

  it('hands out copies: changing a returned delivery does not change the store', async () => {
    const store = new InMemoryInboxStore();
    const { id } = await store.insertOrFind({ provider: 'stripe', eventId: 'evt_1', type: 't', rawBody: '{}', headers: { a: '1' }, receivedAt: new Date(0) });
    const first = await store.get(id);
    first!.headers.a = 'changed';
    first!.status = 'dead';
    expect(await store.get(id)).toMatchObject({ status: 'pending', headers: { a: '1' } });
  });
});
