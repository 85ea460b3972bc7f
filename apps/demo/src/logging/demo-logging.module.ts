import type { IncomingMessage } from 'node:http';
import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream, Level } from 'pino';
import { DeliveryLog } from './delivery-log';

/** Request headers worth a log line; any other (signatures, tokens, cookies, authorization) never reaches one. */
const LOGGED_HEADERS = ['content-type', 'content-length', 'user-agent', 'x-forwarded-for', 'x-request-id'];

export interface DemoLoggingOptions {
  level: Level | 'silent';
  /** Where the JSON lines go; default stdout. */
  destination?: DestinationStream;
}

/**
 * JSON logs with pino: one line per HTTP request (method, path, status, time) and one per delivery
 * outcome (endpoint, type, delivery id, outcome, duration). Nest's own `Logger`, which the webhook
 * library writes to, goes through it as well once main.ts calls `app.useLogger`.
 */
@Module({})
export class DemoLoggingModule {
  static forRoot(options: DemoLoggingOptions): DynamicModule {
    return {
      module: DemoLoggingModule,
      imports: [
        LoggerModule.forRoot({
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
            options.destination ?? process.stdout,
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
