import { createTestDatabase, type TestDatabase } from './test-database';
import { startWebhookApp, type WebhookApp, type WebhookAppOptions } from './webhook-app';

/**
 * Starts an app on a fresh database before the suite and closes both after it. Returns a getter,
 * since the app exists only once `beforeAll` has run.
 */
export function useWebhookApp(options: Omit<WebhookAppOptions, 'database'>): () => WebhookApp {
  let database: TestDatabase | undefined;
  let app: WebhookApp | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startWebhookApp({ ...options, database });
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });
  return () => {
    if (!app) throw new Error('the app is not started yet: read it inside a test or a hook');
    return app;
  };
}
