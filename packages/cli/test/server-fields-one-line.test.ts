// A server-supplied value in a command's human output stays on its line (output.ts's field()), as integrator list's
// names and agent verify's fields already did: `vouch keys list` and `keys rotate` (kid, purpose, status, alg,
// drops_at), the metric lines of `integrator list` and `integrator metrics`, and `agent whoami --check`'s status
// printed them as they came, so that a newline in one started a line of the server's choosing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { answerJson, recordingServer as serve, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

const ADMIN = 'vouch_admin_test_key_0123456789';
const NL = '\nall keys verified';

test('server-supplied values cannot start a line of their own', async (t) => {
  const dir = await tempDir(t);
  const metric = { metricKey: `sale${NL}`, polarity: `boost${NL}`, weight: 1, lane: `conduct${NL}`, maxPerDay: 10 };
  const server = await serve(t, (res, req) => {
    if (req.url === '/api/v1/admin/keys') {
      const row = { kid: `k1${NL}`, purpose: `tokens${NL}`, alg: `ES256${NL}`, generation: 1, published: true };
      return answerJson(res, 200, { keys: [{ ...row, status: 'retired', drops_at: `2030-01-01${NL}` }] });
    }
    if (req.url === '/api/v1/admin/keys/rotate') {
      return answerJson(res, 201, {
        purpose: 'tokens',
        kid: `k2${NL}`,
        generation: 2,
        retired: [`k1${NL}`],
        dropped: [],
      });
    }
    if (req.url === '/api/v1/admin/integrators') {
      const i = { slug: 'shop', name: 'Shop', domain: 'shop.example', environmentVersion: 1, metrics: [metric] };
      return answerJson(res, 200, { integrators: [i] });
    }
    if (req.method === 'PUT')
      return answerJson(res, 200, { slug: 'shop', environmentVersion: 2, changed: true, metrics: [metric] });
    return answerJson(res, 200, { did: 'did:identity:bot', status: `claimed${NL}`, identity_score: 30 });
  });
  await writeStoredIdentity(dir, server.url);
  const metricsFile = join(dir, 'metrics.json');
  await writeFile(metricsFile, '[]');
  const env = { HOME: dir, VOUCH_HOME: dir, VOUCH_ADMIN_KEY: ADMIN };
  for (const args of [
    ['keys', 'list'],
    ['keys', 'rotate'],
    ['integrator', 'list'],
    ['integrator', 'metrics', 'shop', '--file', metricsFile],
    ['agent', 'whoami', '--alias', 'bot', '--check'],
  ]) {
    const r = await runClean(env, ...args, '--server', server.url);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
    assert.doesNotMatch(r.out, /^all keys verified/m, `${args.join(' ')}: ${JSON.stringify(r.out)}`);
  }
});
