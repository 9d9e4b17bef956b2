// Review: the admin authenticator kept only the admin keys' digests, but ctx.config still held both keys in plaintext
// (VOUCH_ADMIN_KEY and VOUCH_ADMIN_KEY_PREVIOUS as read), and resolveAdminKey returned admin.key's content, for as
// long as the server ran: any module reading ctx.config, an error or log line that serialised it, or a heap dump
// showed them. The configuration now holds their SHA-256 digests only, and resolveAdminKey returns the digests of the
// keys it read or generated; the keys are hashed where they are read and not kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAdminKey } from '../src/admin-key.ts';
import { loadConfig } from '../src/config.ts';
import { makeApp, TEST_ADMIN_KEY } from './helpers/app.ts';
import { eachEngine } from './helpers/storage.ts';

const PREVIOUS = 'old-admin-key-fedcba9876543210';

function assertHoldsNeither(what: string, value: unknown, keys: readonly string[]): void {
  const shown = [JSON.stringify(value), inspect(value, { depth: Infinity, showHidden: true, getters: true })];
  for (const text of shown) for (const key of keys) assert.ok(!text.includes(key), `${what} holds an admin key`);
}

eachEngine(
  'the context built from VOUCH_ADMIN_KEY and VOUCH_ADMIN_KEY_PREVIOUS holds neither key',
  async ({ open }) => {
    const env = { VOUCH_ADMIN_KEY: TEST_ADMIN_KEY, VOUCH_ADMIN_KEY_PREVIOUS: PREVIOUS };
    assertHoldsNeither('loadConfig', loadConfig(env), [TEST_ADMIN_KEY, PREVIOUS]);
    const t = await makeApp(await open(), { env });
    try {
      assertHoldsNeither('ctx.config', t.ctx.config, [TEST_ADMIN_KEY, PREVIOUS]);
      // And both keys still act as the admin, each audited as itself; nothing else does.
      for (const [key, expected] of [
        [TEST_ADMIN_KEY, 200],
        [PREVIOUS, 200],
        [`${PREVIOUS}0`, 401],
        ['wrong-admin-key-0123456789abcdef', 401],
      ] as const) {
        const res = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: { 'x-api-key': key } });
        assert.equal(res.statusCode, expected, key);
      }
      for (const [key, actor] of [
        [PREVIOUS, 'admin:previous'],
        [TEST_ADMIN_KEY, 'admin'],
      ] as const) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/owners',
          headers: { 'x-api-key': key },
          payload: { name: actor, handle: actor.replace(':', '-') },
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      const audit = await t.app.inject({
        method: 'GET',
        url: '/api/v1/admin/audit',
        headers: { 'x-api-key': TEST_ADMIN_KEY },
      });
      const actors = (audit.json() as { entries: Array<{ action: string; actor: string }> }).entries
        .filter((e) => e.action === 'owner.create')
        .map((e) => e.actor);
      assert.deepEqual(actors.sort(), ['admin', 'admin:previous']);
    } finally {
      await t.app.close();
    }
  },
);

test('resolveAdminKey: what it returns for a generated or read admin.key holds no key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-admin-key-digests-'));
  try {
    const config = loadConfig({ VOUCH_DATA_DIR: dir, VOUCH_ADMIN_KEY_PREVIOUS: PREVIOUS });
    const generated = await resolveAdminKey(config);
    const key = (await readFile(join(dir, 'admin.key'), 'utf8')).trim();
    assertHoldsNeither('a generated admin key', generated, [key, PREVIOUS]);
    await writeFile(join(dir, 'admin.key'), `${TEST_ADMIN_KEY}\n`);
    assertHoldsNeither('a read admin key', await resolveAdminKey(config), [TEST_ADMIN_KEY, PREVIOUS]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
