import { connect } from 'node:net';
import { stripe } from 'nestjs-payment-webhooks';
import { useWebhookApp } from './support/use-webhook-app';
import { PLATFORMS, type WebhookApp } from './support/webhook-app';

const BODY_LIMIT = 64 * 1024;
const MiB = 1024 * 1024;

interface RawExchange {
  answer: string;
  /** Milliseconds from the first byte sent to the answer's first byte. */
  answeredMs?: number;
  /** Milliseconds until the server closed the connection. */
  closedMs?: number;
  /** Body bytes the client managed to send. */
  sentBytes: number;
}

/**
 * Speaks HTTP over a bare socket, as a hostile client would: sends `head` and `body`, then keeps
 * sending `chunk` (if any) every millisecond until the server closes or `budgetMs` passes.
 */
function exchange(url: string, head: string, body: string, options: { chunk?: string; budgetMs?: number } = {}): Promise<RawExchange> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  const started = Date.now();
  const result: RawExchange = { answer: '', sentBytes: body.length };
  return new Promise((resolve) => {
    const finish = () => {
      clearInterval(pump);
      clearTimeout(budget);
      socket.destroy();
      resolve(result);
    };
    socket.on('data', (bytes) => {
      result.answeredMs ??= Date.now() - started;
      result.answer += bytes.toString();
    });
    socket.on('close', () => {
      result.closedMs = Date.now() - started;
      finish();
    });
    socket.on('error', () => undefined);
    socket.write(head + body);
    const pump = setInterval(() => {
      if (options.chunk && socket.writable && socket.writableLength < MiB) {
        socket.write(options.chunk);
        result.sentBytes += options.chunk.length;
      }
    }, 1);
    const budget = setTimeout(finish, options.budgetMs ?? 10_000);
  });
}

const jsonOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

describe.each(PLATFORMS)('Requests that would hold the server, on %s', (platform) => {
  const app = useWebhookApp({ platform, webhooks: { endpoints: [stripe({ secrets: ['whsec_test_limits'] })], worker: false, bodyLimit: BODY_LIMIT } });
  let harness: WebhookApp;
  beforeAll(() => (harness = app()));

  it('a declared length over the limit is answered 413 at once, and the connection closed', async () => {
    const head = 'POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n';
    const result = await exchange(harness.url, head, '{"id":');
    expect(result.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(result.answer.toLowerCase()).toContain('connection: close');
    expect(jsonOf(result.answer)).toMatchObject({ statusCode: 413, reason: 'too-large' });
    expect(result.answeredMs).toBeLessThan(2000);
    expect(result.closedMs).toBeLessThan(5000);
  });

  it('a chunked body is answered 413 as soon as it passes the limit, not read to its end', async () => {
    const head = 'POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const chunk = `${(16 * 1024).toString(16)}\r\n${'x'.repeat(16 * 1024)}\r\n`;
    const result = await exchange(harness.url, head, '', { chunk });
    expect(result.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(jsonOf(result.answer)).toMatchObject({ reason: 'too-large' });
    expect(result.closedMs).toBeLessThan(5000);
    // The client could push at most the limit plus what sockets buffer before the server stopped it.
    expect(result.sentBytes).toBeLessThan(BODY_LIMIT + 16 * MiB);
    expect(await harness.deliveries.find({})).toEqual([]);
  });

  it('headers over the server limit get a JSON 431', async () => {
    const head = `POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'p'.repeat(32 * 1024)}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n`;
    const result = await exchange(harness.url, head, '{}');
    expect(result.answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(result.answer.toLowerCase()).toContain('content-type: application/json');
    expect(jsonOf(result.answer)).toMatchObject({ statusCode: 431 });
  });
});
