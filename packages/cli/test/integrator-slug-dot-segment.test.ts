// `vouch integrator rotate-key SLUG` and `integrator metrics SLUG` put the slug in the route's path, encoded: but `.`
// and `..` stay dot segments (the URL parser resolves `%2e` too), so `rotate-key ..` sent the admin key to
// POST /api/v1/admin/rotate-key and `metrics .` a PUT to /api/v1/admin/integrators/metrics, routes the operator never
// named, answered "No route …"; an empty slug named another route too. No slug is any of them: each is refused
// first, exit 2, and nothing is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordingServer, runClean, tempDir } from './helpers.ts';

test('integrator rotate-key and metrics refuse a slug that is a dot segment, sending nothing', async (t) => {
  const dir = await tempDir(t);
  const metrics = join(dir, 'metrics.json');
  await writeFile(metrics, '[]');
  const server = await recordingServer(t, (res) => res.writeHead(500).end());
  const env = { HOME: dir, VOUCH_ADMIN_KEY: 'vouch_admin_0123456789abcdef0123456789' };
  for (const slug of ['', '.', '..']) {
    for (const args of [
      ['integrator', 'rotate-key', slug],
      ['integrator', 'metrics', slug, '--file', metrics],
    ]) {
      const r = await runClean(env, ...args, '--server', server.url);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.equal(r.out, '');
      assert.equal(r.err, `vouch: "${slug}" is not an integrator slug.\n`, args.join(' '));
    }
  }
  assert.deepEqual(
    server.seen.map((s) => s.url),
    [],
  );
});
