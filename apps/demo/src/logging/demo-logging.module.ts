import type { IncomingMessage } from 'node:http';
import { Module, RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination, type DestinationStream, type Level } from 'pino';
import { DeliveryLog } from './delivery-log';

/** Request headers worth a log line; any other (signatures, tokens, cookies, authorization) never reaches one. */
const LOGGED_HEADERS = ['content-type', 'content-length', 'user-agent', 'x-forwarded-for', 'x-request-id'];

export interface DemoLoggingOptions {
  level: Level | 'silent';
  /** Where the JSON lines go; default stdout, written asynchronously. */
  destination?: DestinationStream;
}

/**
 * JSON logs with pino: one line per delivery outcome (endpoint, type, delivery id, outcome,
 * duration), and one per HTTP request (method, path, status, time) to the app's other routes. A
 * delivery's request line would say again what its own line (processed, duplicate, refused) says, and
 * at a flash sale's thousands a second costs the worker its CPU. Nest's own `Logger`, which the webhook
 * library writes to, goes through it as well once main.ts calls `app.useLogger`.
 */
@Module({})
export class DemoLoggingModule {
  static forRoot(options: DemoLoggingOptions): DynamicModule {
    return {
      module: DemoLoggingModule,
      imports: [
        LoggerModule.forRoot({
          // The endpoints, at the library's default prefix.
          exclude: [{ method: RequestMethod.ALL, path: 'webhooks/*path' }],
          pinoHttp: [
            {
              level: options.level,
              serializers: {
                req: (req: { method?: string; url?: string; headers?: Record<string, unknown>; raw?: IncomingMessage }) => ({
                  method: req.method,
                  url: maskTokens(req.url ?? ''),
                  headers: Object.fromEntries(LOGGED_HEADERS.filter((name) => req.headers?.[name] !== undefined).map((name) => [name, req.headers![name]])),
                }),
                res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
              },
            },
            // Asynchronous: lines logged while a write is in flight go out together in the next one,
            // rather than a system call each. pino flushes what is pending when the process exits.
            options.destination ?? destination({ dest: 1, sync: false }),
          ],
        }),
      ],
      providers: [DeliveryLog],
    };
  }
}

/** A URL token (MVola's `?token=…` or last path segment under /webhooks/mvola/) is a credential. */
export function maskTokens(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]').replace(/(\/webhooks\/mvola\/)[^/?#]+/i, '$1[redacted]');
}
