// VOUCH_PORT=0 picks a free port at each start, so the default public URL (http://<host>:<port>) would say port 0:
// every token's `iss`, verify link and discovery document named http://127.0.0.1:0. The start is refused instead,
// asking for VOUCH_PUBLIC_URL; with it, port 0 works and the URL is the one given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { TEST_ADMIN_KEY } from './helpers/app.ts';

test('VOUCH_PORT=0 without VOUCH_PUBLIC_URL is refused with a ConfigError asking for VOUCH_PUBLIC_URL', () => {
  for (const env of [{ VOUCH_PORT: '0' }, { VOUCH_PORT: '0', VOUCH_HOST: '0.0.0.0', VOUCH_PUBLIC_URL: ' ' }]) {
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.match(err.message, /^VOUCH_PORT=0 .*set VOUCH_PUBLIC_URL/);
        return true;
      },
    );
  }
});

test('VOUCH_PORT=0 with VOUCH_PUBLIC_URL serves, and prints that URL', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-port-zero-'));
  try {
    const config = loadConfig(
      {
        VOUCH_PORT: '0',
        VOUCH_PUBLIC_URL: 'https://vouch.example',
        VOUCH_LOG_LEVEL: 'silent',
        VOUCH_ADMIN_KEY: TEST_ADMIN_KEY,
      },
      dir,
    );
    assert.equal(config.port, 0);
    assert.equal(config.publicUrl, 'https://vouch.example');
    const server = await startServer(config);
    try {
      assert.doesNotMatch(server.address, /:0$/);
      const doc = (await (await fetch(`${server.address}/docs/json`)).json()) as { servers: Array<{ url: string }> };
      assert.deepEqual(doc.servers, [{ url: 'https://vouch.example' }]);
    } finally {
      await server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
