import type { IncomingMessage } from 'node:http';

/** How long a refused sender may keep sending after the answer before the connection is cut. */
const LINGER_MS = 1000;

/**
 * The rest of the body is never stored. Closing at once while the client still sends would reset the
 * connection and lose the answer in its receive buffer; so the answer goes out, the server stops
 * writing, discards what still arrives for a moment, then closes (a "lingering close").
 */
export function lingerThenClose(req: IncomingMessage): void {
  const socket = req.socket;
  req.removeAllListeners('data');
  req.resume();
  // Node calls destroySoon() once a `Connection: close` answer is written.
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}
