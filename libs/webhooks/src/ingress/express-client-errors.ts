import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

const ANSWERS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'The request headers are larger than this server accepts.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request took too long to arrive.'],
};

/**
 * On Express, requests Node cannot even parse (headers too large, malformed HTTP) are answered by
 * Node with an empty body; this answers them in the same JSON shape as every other refusal. Fastify
 * already does. Left alone when the app listens for `clientError` itself.
 */
@Injectable()
export class ExpressClientErrors implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    const server = adapter?.getType() === 'express' ? (adapter.getHttpServer() as Server) : undefined;
    if (!server || server.listenerCount('clientError') > 0) return;
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      // What Node itself does: a connection already answering or gone is just closed.
      const answering = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
      if (error.code === 'ECONNRESET' || !socket.writable || answering) return void socket.destroy();
      const [status, message] = ANSWERS[error.code ?? ''] ?? [400, 'The request is not valid HTTP.'];
      const body = JSON.stringify({ statusCode: status, error: STATUS_CODES[status], message });
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  }
}
