// A credential named on the command line (--owner-key-file, --owner-key) is the one sent, even when $VOUCH_ADMIN_KEY is
// set in the environment: the CLI preferred any admin key, so an operator's shell turned "revoke as this owner" into
// an admin action (other permissions, audited as the admin) without a word. Between two given on the command line,
// or two from the environment, the admin key still comes first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordingServer, run, tempDir } from './helpers.ts';

const ADMIN = 'vouch_admin_ENV_0123456789abcdef';
const OWNER = 'vouch_owner_FILE_0123456789abcdef';

async function withEnv(env: Record<string, string | undefined>, fn: () => Promise<void>): Promise<void> {
  const set = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  set(env);
  try {
    await fn();
  } finally {
    set(saved);
  }
}

test('--owner-key-file is sent as asked, not $VOUCH_ADMIN_KEY', async (t) => {
  const dir = await tempDir(t, 'vouch-cred-order-');
  const ownerFile = join(dir, 'owner.key');
  await writeFile(ownerFile, `${OWNER}\n`, { mode: 0o600 });
  const server = await recordingServer(t, (res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"revoked":true,"jti":"abc"}'),
  );
  const sent = () => {
    const h = server.seen.at(-1)!.headers;
    return { admin: h['x-api-key'], bearer: h.authorization };
  };
  const revoke = (...more: string[]) => run('token', 'revoke', '--jti', 'abc', '--server', server.url, ...more);

  await withEnv({ VOUCH_ADMIN_KEY: ADMIN, VOUCH_OWNER_KEY: undefined }, async () => {
    const r = await revoke('--owner-key-file', ownerFile);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(sent(), { admin: undefined, bearer: `Bearer ${OWNER}` }, 'the owner key given, not the env admin');
    assert.equal((await revoke()).code, 0);
    assert.deepEqual(sent(), { admin: ADMIN, bearer: undefined }, 'no option: the environment');
  });
  await withEnv({ VOUCH_ADMIN_KEY: ADMIN, VOUCH_OWNER_KEY: OWNER }, async () => {
    assert.equal((await revoke()).code, 0);
    assert.deepEqual(sent(), { admin: ADMIN, bearer: undefined }, 'both from the environment: the admin key');
  });
});
