// The key files a server reads at start (the KEK file, admin.key, VOUCH_REGISTRY_ROOT_KEY_FILE) should be the owner's
// alone. One that group members or others may read (or group members write) is started with and logged, one warning
// per file naming its path and mode and the fix, never its content: orchestrators mount secrets 0644 (Kubernetes'
// default) or group-writable (fsGroup). One that any user may write is refused before the database is opened: whoever
// replaces admin.key holds the admin API, and whoever replaces the root key file before its import holds the registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { LogCapture, serverEnv } from './helpers/app.ts';
import { eachEngine } from './helpers/storage.ts';

interface ModeWarning {
  level: number;
  msg: string;
  file?: string;
  mode?: string;
}

/** Starts and stops a server with `env`, returning the warnings about key file modes it logged. */
async function startWarnings(env: Record<string, string>): Promise<{ warnings: ModeWarning[]; logs: LogCapture }> {
  const logs = new LogCapture();
  const server = await startServer(loadConfig({ ...env, VOUCH_LOG_LEVEL: 'info' }), { logStream: logs });
  await server.close();
  const warnings = logs.lines
    .map((l) => JSON.parse(l) as ModeWarning)
    .filter((l) => l.level === 40 && l.mode !== undefined);
  return { warnings, logs };
}

eachEngine(
  'a KEK file others can read is started with and logged once (path, mode, chmod 600); one anyone can write is refused',
  async ({ engine, options, dataDir }) => {
    const kekFile = join(dataDir, 'mounted.kek');
    const kek = randomBytes(32).toString('hex');
    await writeFile(kekFile, `${kek}\n`);
    await chmod(kekFile, 0o644);
    const env = { ...serverEnv(engine, options), VOUCH_KEK_FILE: kekFile };

    const loose = await startWarnings(env);
    assert.equal(loose.warnings.length, 1, loose.logs.text());
    const [warning] = loose.warnings;
    assert.equal(warning!.file, kekFile);
    assert.equal(warning!.mode, '0644');
    assert.ok(warning!.msg.includes(`chmod 600 ${kekFile}`), warning!.msg);
    assert.ok(!loose.logs.text().includes(kek), 'the key is never logged');

    // Writable by group members (fsGroup on a volume): still started with, the warning says so.
    await chmod(kekFile, 0o660);
    const group = await startWarnings(env);
    assert.deepEqual(
      group.warnings.map((w) => [w.file, w.mode]),
      [[kekFile, '0660']],
    );
    assert.match(group.warnings[0]!.msg, /written by group members/);

    // Writable by anyone: refused, naming the file, its mode and the fix.
    await chmod(kekFile, 0o666);
    const err = await startServer(loadConfig(env)).catch((e: unknown) => e);
    assert.ok(err instanceof ConfigError, String(err));
    assert.ok(err.message.includes(kekFile) && err.message.includes('0666'), err.message);
    assert.ok(err.message.includes(`chmod 600 ${kekFile}`), err.message);
    assert.ok(!err.message.includes(kek));

    // The owner's alone: nothing to say.
    await chmod(kekFile, 0o600);
    assert.deepEqual((await startWarnings(env)).warnings, []);
  },
  { timeout: 60_000 },
);

test('admin.key and the registry root key file: one warning each when others may read them', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-key-modes-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const adminFile = join(dataDir, 'admin.key');
  const adminKey = `vouch_admin_${randomBytes(32).toString('base64url')}`;
  await writeFile(adminFile, `${adminKey}\n`);
  await chmod(adminFile, 0o640);
  const rootFile = join(dataDir, 'root.json');
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  await writeFile(rootFile, JSON.stringify({ privateKey: pem }));
  await chmod(rootFile, 0o604);
  const { VOUCH_ADMIN_KEY: _, ...env } = serverEnv('sqlite', { dataDir });
  const withRoot = { ...env, VOUCH_REGISTRY_ROOT_KEY_FILE: rootFile };

  const { warnings, logs } = await startWarnings(withRoot);
  assert.deepEqual(
    warnings.map((w) => [w.file, w.mode]).sort(),
    [
      [adminFile, '0640'],
      [rootFile, '0604'],
    ],
    logs.text(),
  );
  for (const w of warnings) assert.ok(w.msg.includes(`chmod 600 ${w.file}`), w.msg);
  assert.ok(!logs.text().includes(adminKey), 'the admin key is never logged');
  assert.ok(!logs.text().includes(pem.split('\n')[1]!), 'the root key is never logged');

  // A fresh data folder's own files (kek.key, admin.key) are created 0600: no warning about them.
  const fresh = await mkdtemp(join(tmpdir(), 'vouch-key-modes-'));
  t.after(() => rm(fresh, { recursive: true, force: true }));
  const { VOUCH_ADMIN_KEY: __, ...freshEnv } = serverEnv('sqlite', { dataDir: fresh });
  assert.deepEqual((await startWarnings(freshEnv)).warnings, []);

  // admin.key or the root key file writable by anyone: refused.
  for (const file of [adminFile, rootFile]) {
    await chmod(file, 0o602);
    const err = await startServer(loadConfig(withRoot)).catch((e: unknown) => e);
    assert.ok(err instanceof ConfigError, String(err));
    assert.ok(err.message.includes(file) && err.message.includes('0602'), err.message);
    assert.ok(!err.message.includes(adminKey));
    await chmod(file, 0o600);
  }
  assert.deepEqual((await startWarnings(withRoot)).warnings, []);
});
