import { Injectable, Scope } from '@nestjs/common';
import { OnPaymentCompleted, OnProviderEvent, paystack, standardWebhooks, stripe, WebhooksConfigError } from 'nestjs-payment-webhooks';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { startWebhookApp, type WebhookAppOptions } from './support/webhook-app';

@Injectable()
class HandlesPaystack {
  @OnPaymentCompleted({ provider: 'paystack' })
  onPaid(): void {}
}

@Injectable()
class HandlesUnknownProviderEvent {
  @OnProviderEvent('stripe-eu', 'charge.refunded')
  onRefund(): void {}
}

@Injectable({ scope: Scope.REQUEST })
class RequestScopedHandler {
  @OnPaymentCompleted()
  onPaid(): void {}
}

describe('Start-up checks refuse a configuration that cannot work, and say what to change', () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase()));
  afterAll(async () => database.drop());

  const failure = async (options: Omit<WebhookAppOptions, 'database' | 'platform'>): Promise<string> => {
    try {
      const app = await startWebhookApp({ platform: 'express', database, ...options });
      await app.close();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('the application started');
  };

  it('a provider without secrets, an empty or padded secret: names the option, never the value', async () => {
    const message = await failure({ webhooks: { endpoints: [stripe({ secrets: ['whsec_test_ok', '', ' whsec_test_padded\n'] }), paystack({ secretKeys: [] })] } });
    expect(message).toContain('endpoints[0].secrets[1]: the secret is empty');
    expect(message).toContain('endpoints[0].secrets[2]: the secret has surrounding whitespace');
    expect(message).toMatch(/endpoints\[1\]\.secretKeys?/);
    expect(message).not.toContain('whsec_test_ok');
    expect(message).not.toContain('whsec_test_padded');
  });

  it('a Standard Webhooks secret that is not whsec_ + base64 of 24 to 64 bytes', async () => {
    const message = await failure({ webhooks: { endpoints: [standardWebhooks({ name: 'acme', secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_not*base64!', 'whsec_c2hvcnQ='] })] } });
    expect(message).toMatch(/endpoints\[0\]\.secrets\[1\]: /);
    expect(message).toMatch(/endpoints\[0\]\.secrets\[2\]: /);
    expect(message).not.toMatch(/endpoints\[0\]\.secrets\[0\]/);
    expect(message).not.toContain('not*base64');
    expect(message).not.toContain('c2hvcnQ');
  });

  it('two endpoints with one name, or one path', async () => {
    const message = await failure({
      webhooks: {
        endpoints: [
          stripe({ secrets: ['whsec_test_a'] }),
          stripe({ secrets: ['whsec_test_b'] }),
          stripe({ name: 'stripe-eu', secrets: ['whsec_test_c'], path: '/hooks/stripe' }),
          stripe({ name: 'stripe-us', secrets: ['whsec_test_d'], path: 'hooks/stripe' }),
        ],
      },
    });
    expect(message).toContain('endpoints[1].name: "stripe" is already used by endpoints[0]');
    expect(message).toContain('endpoints[3]: path /hooks/stripe is already served by endpoints[2]');
  });

  it('no provider at all', async () => {
    expect(await failure({ webhooks: { endpoints: [] } })).toContain('endpoints: configure at least one endpoint');
  });

  it('a handler naming a provider that is not configured', async () => {
    const message = await failure({ webhooks: { endpoints: [stripe({ secrets: ['whsec_test_a'] })] }, providers: [HandlesPaystack, HandlesUnknownProviderEvent] });
    expect(message).toContain('HandlesPaystack.onPaid: handles provider "paystack", which is not configured (configured: stripe)');
    expect(message).toContain('HandlesUnknownProviderEvent.onRefund: handles provider "stripe-eu"');
  });

  it('a handler in a request-scoped class', async () => {
    const message = await failure({ webhooks: { endpoints: [stripe({ secrets: ['whsec_test_a'] })] }, providers: [RequestScopedHandler] });
    expect(message).toContain('RequestScopedHandler.onPaid: webhook handlers must live in singleton providers');
  });

  it('reports every problem at once, as a WebhooksConfigError', async () => {
    const message = await failure({ webhooks: { endpoints: [stripe({ secrets: [] })], maxAttempts: 0, leaseMs: -1 } });
    expect(message.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(3);
    expect(new WebhooksConfigError(['x']).message).toBe('WebhooksModule options are invalid:\n  - x');
  });
});
