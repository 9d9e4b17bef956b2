import { createServer } from 'node:net';

/** A loopback port that was free a moment ago, for tests that start a real server process on a known port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Runs `start` (which makes something listen on the port it is given) on a port {@link freePort} handed out, and
 * again on another one if that port was taken in between (EADDRINUSE: another process bound it after the probe
 * closed and before `start` listened, which takes a while when it opens a database first). For servers whose URL
 * must name their port before they start (VOUCH_PUBLIC_URL, the default public URL). `ports` is for this helper's
 * own test.
 */
export async function startOnFreePort<T>(
  start: (port: number) => Promise<T>,
  ports: () => Promise<number> = freePort,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await ports();
    try {
      return await start(port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= attempts) throw err;
    }
  }
}
