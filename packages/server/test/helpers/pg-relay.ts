// A TCP relay of the test's own, on loopback, between Vouch and PostgreSQL: it forwards both ways until told to
// hang, after which the database's replies are dropped and every query in flight stays unanswered, as over a link
// that died silently (no reset ever arrives), or to reset the links open so far, as a failover or a middlebox does
// (Vouch's side gets ECONNRESET). The PostgreSQL server itself is never touched.
import { createServer, connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface PgRelay {
  /** `target` with its host and port replaced by the relay's. */
  url: string;
  /** From now on, nothing the database sends reaches Vouch. */
  hang(): void;
  /** {@link hang} for the links open now only: a later connection is relayed as before (a reconnect gets through). */
  hangOpen(): void;
  /**
   * {@link hang} for the next link that sends a simple query (once connected and authenticated), from that query on:
   * the session is up, its first statement is never answered. Other links, and later ones, are relayed as before.
   */
  hangAtNextQuery(): void;
  /** Ends every link open now with a TCP reset towards Vouch (ECONNRESET); later connections are relayed as before. */
  reset(): void;
  /** Resolves when Vouch next sends anything to the database (a query on its way). */
  nextSend(): Promise<void>;
  close(): Promise<void>;
}

export async function pgRelay(target: URL): Promise<PgRelay> {
  let hung = false;
  let hangAtQuery = false;
  let waiting: Array<() => void> = [];
  const sockets: Socket[] = [];
  const clients: Socket[] = [];
  const hungLinks = new WeakSet<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.push(client, upstream);
    clients.push(client);
    client.on('data', (chunk) => {
      // A simple query message starts with its type byte, 'Q'; a startup or SSL request never does (a length first).
      if (hangAtQuery && chunk[0] === 0x51) {
        hangAtQuery = false;
        hungLinks.add(client);
      }
      upstream.write(chunk);
      const resolve = waiting;
      waiting = [];
      for (const r of resolve) r();
    });
    upstream.on('data', (chunk) => {
      if (!hung && !hungLinks.has(client)) client.write(chunk);
    });
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target.href);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.href,
    hang: () => (hung = true),
    hangOpen: () => {
      for (const c of clients) hungLinks.add(c);
    },
    hangAtNextQuery: () => (hangAtQuery = true),
    reset: () => {
      for (const c of clients.splice(0)) if (!c.destroyed) c.resetAndDestroy();
    },
    nextSend: () => new Promise<void>((resolve) => waiting.push(resolve)),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
