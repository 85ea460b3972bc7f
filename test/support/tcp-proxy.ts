import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between the app and its database that a test can freeze (bytes held, sockets open:
 * a database that hangs) and cut (every connection reset, new ones refused: a database that is gone).
 */
export class TcpProxy {
  private server?: Server;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; held: Array<[Socket, Buffer]> }>();
  private state: 'open' | 'frozen' | 'cut' = 'open';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Stops forwarding in both directions, without closing anything. */
  freeze(): void {
    this.state = 'frozen';
  }

  /** Resets every connection and refuses new ones. */
  cut(): void {
    this.state = 'cut';
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Forwards again, delivering whatever a freeze held back. */
  open(): void {
    this.state = 'open';
    for (const pair of this.pairs) for (const [to, bytes] of pair.held.splice(0)) to.write(bytes);
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private accept(client: Socket): void {
    if (this.state === 'cut') return void client.destroy();
    const upstream = connect(this.targetPort, this.targetHost);
    const pair = { client, upstream, held: [] as Array<[Socket, Buffer]> };
    this.pairs.add(pair);
    const forward = (to: Socket) => (bytes: Buffer) => {
      if (this.state === 'frozen') pair.held.push([to, bytes]);
      else to.write(bytes);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  }
}
