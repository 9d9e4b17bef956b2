// `vouch registry publish` to a server that does not answer names the cause as the other server commands do
// ("cannot reach http://host (ECONNREFUSED)."); it printed fetch's own "fetch failed", which says nothing of why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { draftRegistry, ok, run, tempDir } from './helpers.ts';

test('registry publish to a closed port says ECONNREFUSED, not "fetch failed"', async (t) => {
  const base = await tempDir(t, 'vouch-publish-unreachable-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  // A port that was free a moment ago: nothing listens there now.
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const saved = process.env.VOUCH_ADMIN_KEY;
  process.env.VOUCH_ADMIN_KEY = 'vouch_admin_unreachable_0123456789';
  try {
    const r = await run('registry', 'publish', reg, '--server', `http://127.0.0.1:${port}`);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err, `vouch: cannot reach http://127.0.0.1:${port} (ECONNREFUSED).\n`);
  } finally {
    if (saved === undefined) delete process.env.VOUCH_ADMIN_KEY;
    else process.env.VOUCH_ADMIN_KEY = saved;
  }
});
