// VOUCH_ADMIN_KEY_PREVIOUS: a second admin key accepted beside the current one, so the admin key can change in a
// rolling restart (every instance on new + previous, then clients on the new key, then every instance without the
// previous one). Before, each instance accepted one key only, and a rolling restart behind a load balancer refused
// the new key at half the instances and the old one at the other half. Checked like VOUCH_ADMIN_KEY, never equal to
// it, never logged; the audit log says which key acted (`admin` or `admin:previous`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAdminKey } from '../src/admin-key.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { adminKeyDigests } from '../src/http/admin-auth.ts';
import { hashSecret } from '../src/http/secrets.ts';
import { LogCapture, makeApp, serverEnv, TEST_ADMIN_KEY } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { eachEngine } from './helpers/storage.ts';
import { genesis } from './capabilities/helpers.ts';

const PREVIOUS = 'old-admin-key-fedcba9876543210';

function refusedWith(env: Record<string, string>, reason: RegExp, secrets: string[]): void {
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.match(err.message, reason);
      for (const s of secrets) assert.ok(!err.message.includes(s), `the key is quoted: ${err.message}`);
      return true;
    },
  );
}

test('VOUCH_ADMIN_KEY_PREVIOUS: read when set, checked like VOUCH_ADMIN_KEY, never the current key', () => {
  assert.equal(loadConfig({}).adminKeyPreviousDigest, undefined);
  assert.equal(loadConfig({ VOUCH_ADMIN_KEY_PREVIOUS: '' }).adminKeyPreviousDigest, undefined);
  const c = loadConfig({ VOUCH_ADMIN_KEY: TEST_ADMIN_KEY, VOUCH_ADMIN_KEY_PREVIOUS: PREVIOUS });
  assert.equal(c.adminKeyPreviousDigest, hashSecret(PREVIOUS));
  assert.deepEqual(c.unknownVariables, [], 'a known name, not warned about as a typo');

  refusedWith({ VOUCH_ADMIN_KEY_PREVIOUS: 'short-old-key' }, /^VOUCH_ADMIN_KEY_PREVIOUS must be at least 16/, [
    'short-old-key',
  ]);
  refusedWith({ VOUCH_ADMIN_KEY_PREVIOUS: `${PREVIOUS}\n` }, /^VOUCH_ADMIN_KEY_PREVIOUS has leading or trailing/, [
    PREVIOUS,
  ]);
  refusedWith({ VOUCH_ADMIN_KEY_PREVIOUS: `${PREVIOUS}é` }, /^VOUCH_ADMIN_KEY_PREVIOUS must be printable ASCII/, [
    PREVIOUS,
  ]);
  refusedWith({ VOUCH_ADMIN_KEY_PREVIOUS: 'x'.repeat(1025) }, /^VOUCH_ADMIN_KEY_PREVIOUS must be at most 1024/, []);
  refusedWith(
    { VOUCH_ADMIN_KEY: TEST_ADMIN_KEY, VOUCH_ADMIN_KEY_PREVIOUS: TEST_ADMIN_KEY },
    /VOUCH_ADMIN_KEY_PREVIOUS is the same as VOUCH_ADMIN_KEY/,
    [TEST_ADMIN_KEY],
  );
});

test('VOUCH_ADMIN_KEY_PREVIOUS equal to the key in admin.key is refused at start, without quoting it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-admin-key-previous-'));
  try {
    await writeFile(join(dir, 'admin.key'), `${PREVIOUS}\n`, { mode: 0o600 });
    const same = loadConfig({ VOUCH_DATA_DIR: dir, VOUCH_ADMIN_KEY_PREVIOUS: PREVIOUS });
    await assert.rejects(resolveAdminKey(same), (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.match(err.message, /VOUCH_ADMIN_KEY_PREVIOUS is the same as the admin key in .*admin\.key/);
      assert.ok(!err.message.includes(PREVIOUS), err.message);
      return true;
    });
    // Another previous key goes with the file's key.
    const other = loadConfig({ VOUCH_DATA_DIR: dir, VOUCH_ADMIN_KEY_PREVIOUS: TEST_ADMIN_KEY });
    assert.deepEqual((await resolveAdminKey(other)).digests, adminKeyDigests(PREVIOUS, TEST_ADMIN_KEY));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

async function status(t: TestApp, key: string | undefined): Promise<number> {
  const headers = key === undefined ? {} : { 'x-api-key': key };
  return (await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers })).statusCode;
}

async function auditActors(t: TestApp): Promise<Array<[action: string, actor: string]>> {
  const res = await t.app.inject({
    method: 'GET',
    url: '/api/v1/admin/audit?limit=500',
    headers: { 'x-api-key': TEST_ADMIN_KEY },
  });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { entries: Array<{ action: string; actor: string }> }).entries
    .filter((e) => e.actor !== 'system')
    .map((e) => [e.action, e.actor]);
}

eachEngine(
  'with VOUCH_ADMIN_KEY_PREVIOUS both keys are the admin, audited as admin and admin:previous; without it, only the new key',
  async ({ open }) => {
    const env = { VOUCH_PUBLIC_URL: 'https://vouch.test', VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'info' };
    const t = await makeApp(await open(), { env: { ...env, VOUCH_ADMIN_KEY_PREVIOUS: PREVIOUS } });
    try {
      assert.equal(await status(t, TEST_ADMIN_KEY), 200);
      assert.equal(await status(t, PREVIOUS), 200);
      assert.equal(await status(t, undefined), 401);
      assert.equal(await status(t, 'wrong-admin-key-0123456789abcdef'), 401);
      assert.equal(await status(t, PREVIOUS.slice(0, -1)), 401);
      assert.equal(await status(t, `${PREVIOUS}0`), 401);

      // Every kind of audited admin action, done with the previous key.
      const old = { 'x-api-key': PREVIOUS };
      const call = async (method: 'POST' | 'PUT', url: string, payload: object | undefined, expected: number) => {
        const res = await t.app.inject({ method, url, headers: old, ...(payload === undefined ? {} : { payload }) });
        assert.equal(res.statusCode, expected, `${method} ${url}: ${res.body}`);
        return res.json() as Record<string, string>;
      };
      await call('POST', '/api/v1/owners', { name: 'Ops', handle: 'ops' }, 201);
      const reg = await t.app.inject({
        method: 'POST',
        url: '/api/v1/agents/register',
        payload: { publicKey: Buffer.alloc(32, 7).toString('base64'), powNonce: '0' },
      });
      assert.equal(reg.statusCode, 201, reg.body);
      const { did } = reg.json() as { did: string };
      await call('PUT', `/api/v1/agents/${did}/slug`, { slug: 'rolling-agent' }, 200);
      const { jti } = await call('POST', '/api/registry/issue', { agent_name: did }, 201);
      await call('POST', '/api/registry/revoke', { jti }, 200);
      const cap = { agentId: 'agent:ops:v1', resource: 'payments:invoices', action: 'read', tier: 'standard' };
      const { tokenId } = await call('POST', '/v1/tokens', { ...cap, expiresIn: 600 }, 201);
      await call('POST', '/v1/tokens/revoke', { tokenId }, 200);
      const metrics = [{ metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct' }];
      await call(
        'POST',
        '/api/v1/admin/integrators',
        { slug: 'shop', name: 'Shop', domain: 'shop.example', metrics },
        201,
      );
      await call('POST', '/api/v1/admin/keys/rotate', undefined, 201);
      await call('POST', '/api/v1/admin/reputation/rebuild', undefined, 200);
      await genesis({ ...t, adminKey: PREVIOUS }, ['acme', 'bolt', 'coda'], 2);
      await call('POST', `/api/v1/agents/${did}/revoke`, { reason: 'rolling test' }, 200);
      // And one with the current key.
      const rotated = await t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/integrators/shop/rotate-key',
        headers: { 'x-api-key': TEST_ADMIN_KEY },
      });
      assert.equal(rotated.statusCode, 200, rotated.body);

      assert.deepEqual((await auditActors(t)).reverse(), [
        ['owner.create', 'admin:previous'],
        ['agent.set_slug', 'admin:previous'],
        ['token.issue', 'admin:previous'],
        ['token.revoke', 'admin:previous'],
        ['capability.issue', 'admin:previous'],
        ['capability.revoke', 'admin:previous'],
        ['integrator.create', 'admin:previous'],
        ['server_key.rotate', 'admin:previous'],
        ['reputation.rebuild', 'admin:previous'],
        ['registry.genesis', 'admin:previous'],
        ['agent.revoke', 'admin:previous'],
        ['integrator.rotate_key', 'admin'],
      ]);
      for (const key of [PREVIOUS, TEST_ADMIN_KEY]) assert.ok(!t.logs.text().includes(key), 'an admin key was logged');
    } finally {
      await t.app.close();
    }

    // An app built with the previous key as its current one (buildApp without resolveAdminKey) is refused too.
    await assert.rejects(
      makeApp(await open(), { env: { ...env, VOUCH_ADMIN_KEY_PREVIOUS: TEST_ADMIN_KEY } }),
      (err: unknown) => err instanceof ConfigError && !err.message.includes(TEST_ADMIN_KEY),
    );

    // Step 3 of the roll: restarted without the previous key, which is then refused.
    const after = await makeApp(await open(), { env });
    try {
      assert.equal(await status(after, PREVIOUS), 401);
      assert.equal(await status(after, TEST_ADMIN_KEY), 200);
    } finally {
      await after.app.close();
    }
  },
);

test('a server started with VOUCH_ADMIN_KEY_PREVIOUS takes both keys and warns, naming the setting, never a key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-admin-key-previous-start-'));
  try {
    const env = { ...serverEnv('sqlite', { dataDir: dir }), VOUCH_LOG_LEVEL: 'info' };
    const logs = new LogCapture();
    const server = await startServer(loadConfig({ ...env, VOUCH_ADMIN_KEY_PREVIOUS: PREVIOUS }), { logStream: logs });
    try {
      for (const key of [TEST_ADMIN_KEY, PREVIOUS]) {
        const res = await fetch(`${server.address}/api/v1/admin/audit`, { headers: { 'x-api-key': key } });
        assert.equal(res.status, 200);
      }
      const wrong = await fetch(`${server.address}/api/v1/admin/audit`, {
        headers: { 'x-api-key': 'wrong-admin-key-0123456789abcdef' },
      });
      assert.equal(wrong.status, 401);
    } finally {
      await server.close();
    }
    const warnings = logs.lines
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .filter((l) => l.level === 40 && l.msg.includes('VOUCH_ADMIN_KEY_PREVIOUS'));
    assert.equal(warnings.length, 1, logs.text());
    for (const key of [PREVIOUS, TEST_ADMIN_KEY]) assert.ok(!logs.text().includes(key), 'an admin key was logged');

    // Without it: no warning, and the previous key is refused.
    const quiet = new LogCapture();
    const again = await startServer(loadConfig(env), { logStream: quiet });
    try {
      const res = await fetch(`${again.address}/api/v1/admin/audit`, { headers: { 'x-api-key': PREVIOUS } });
      assert.equal(res.status, 401);
    } finally {
      await again.close();
    }
    assert.ok(!quiet.text().includes('VOUCH_ADMIN_KEY_PREVIOUS'), quiet.text());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
