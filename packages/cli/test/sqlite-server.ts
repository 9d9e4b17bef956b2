// A real `vouch serve` over a SQLite data directory, for the commands that work on its database (backup, restore).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawnVouch } from './helpers.ts';

/** A running `vouch serve`: its address, and stop() (SIGTERM, resolved once it has exited). */
export interface SqliteServer {
  address: string;
  stop(): Promise<void>;
}

/** `vouch serve` on a free loopback port over `dataDir`, stopped when the test ends at the latest. */
export async function serve(
  t: { after: (fn: () => Promise<void>) => void },
  dataDir: string,
  cwd: string,
): Promise<SqliteServer> {
  const child = spawnVouch(
    ['serve', '--port', '0', '--data-dir', dataDir],
    { VOUCH_LOG_LEVEL: 'info', VOUCH_PUBLIC_URL: 'http://vouch.test', VOUCH_SLUG_REGISTER_RATE_MAX: '100000' },
    cwd,
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  };
  t.after(stop);
  let log = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      log += d;
      const m = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(log);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`vouch serve exited early (${code}): ${log}`)));
  });
  return { address, stop };
}

/** Registers agent `slug` by slug; resolves once the server has answered 201 (an acknowledged write). */
export async function register(address: string, slug: string): Promise<void> {
  const res = await fetch(`${address}/v1/identity/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ slug, name: `agent ${slug}` }),
  });
  assert.equal(res.status, 201, await res.text());
}
