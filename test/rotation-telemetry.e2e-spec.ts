import type { LoggerService } from '@nestjs/common';
import request from 'supertest';
import { stripe } from 'nestjs-payment-webhooks';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { checkoutCompleted } from './support/stripe-fixtures';
import { useWebhookApp } from './support/use-webhook-app';

const OLD = 'whsec_test_rotation_old';
const NEW = 'whsec_test_rotation_new';

/** Keeps every log line. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (message: unknown) => void this.lines.push(String(message));
  warn = (message: unknown) => void this.lines.push(String(message));
  error = (message: unknown) => void this.lines.push(String(message));
}

describe('Rotation telemetry', () => {
  const logger = new CapturingLogger();
  const app = useWebhookApp({ platform: 'express', logger, webhooks: { endpoints: [stripe({ secrets: [NEW, OLD] })], worker: false } });

  it('logs which secret index verified a delivery when it is not the first, never the secret', async () => {
    for (const [secret, reference] of [[NEW, 'ROT-NEW'], [OLD, 'ROT-OLD']]) {
      const signed = signStripe({ payload: checkoutCompleted(reference), secret });
      expect((await request(app().url).post('/webhooks/stripe').set(signed.headers).send(signed.body)).status).toBe(200);
    }
    const telemetry = logger.lines.filter((line) => line.includes('verified with secret'));
    expect(telemetry).toEqual(['Endpoint stripe: delivery verified with secret #1 (rotation in progress?)']);
    expect(logger.lines.join('\n')).not.toMatch(/whsec_/);
  });
});

describe('Refusal logs', () => {
  const logger = new CapturingLogger();
  let now = Date.now();
  const app = useWebhookApp({ platform: 'express', logger, webhooks: { endpoints: [stripe({ secrets: [NEW] })], worker: false, clock: () => new Date(now) } });
  const unsigned = () => request(app().url).post('/webhooks/stripe').set('content-type', 'application/json').send('{}');

  it('log at most 10 a minute per reason, then say how many were left out; counters keep them all', async () => {
    for (let i = 0; i < 25; i++) expect((await unsigned()).status).toBe(401);
    const refusals = () => logger.lines.filter((line) => line.startsWith('Refused POST /webhooks/stripe'));
    expect(refusals()).toHaveLength(10);
    now += 61_000;
    await unsigned();
    expect(refusals()).toHaveLength(11);
    expect(logger.lines).toContain('15 more refusal(s) for missing-header in the last minute were not logged (metrics and refused$ count them all)');
  });
});
