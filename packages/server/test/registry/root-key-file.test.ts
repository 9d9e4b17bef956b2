// VOUCH_REGISTRY_ROOT_KEY_FILE holds a secret: a file the server cannot use is refused naming the file and the
// expected format, never quoting its content (JSON.parse's message quotes the text it choked on).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { ensureRegistryRootKey, readRegistryRootKeyFile } from '../../src/modules/registry/root-key.ts';
import type { Storage } from '../../src/storage/index.ts';
import { startServer } from '../../src/start.ts';

/** The error `ensureRegistryRootKey` raises for a key file holding `content`; the file is refused before storage. */
async function refusal(dir: string, name: string, content: string | undefined): Promise<ConfigError> {
  const file = join(dir, name);
  if (content !== undefined) await writeFile(file, content, { mode: 0o600 });
  const config = loadConfig({ VOUCH_REGISTRY_ROOT_KEY_FILE: file });
  try {
    await ensureRegistryRootKey(config, {} as Storage, randomBytes(32), Date.now());
  } catch (err) {
    assert.ok(err instanceof ConfigError, `ConfigError, got ${String(err)}`);
    assert.match(err.message, /^VOUCH_REGISTRY_ROOT_KEY_FILE: /);
    assert.ok(err.message.includes(file), err.message);
    return err;
  }
  assert.fail(`${name} was accepted`);
}

test('root key file: unusable content is refused without quoting it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-root-key-'));
  try {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const body = pem.split('\n')[1]!;

    // A bare hex seed: the reported leak (`Unexpected token 'd', "da5b2a27c9"... is not valid JSON`).
    const seed = randomBytes(32).toString('hex');
    const hex = await refusal(dir, 'seed.hex', `${seed}\n`);
    assert.match(hex.message, /is not valid JSON; expected a `vouch registry keygen` file/);
    assert.ok(!hex.message.includes(seed.slice(0, 8)), hex.message);
    assert.doesNotMatch(hex.message, /Unexpected token/);

    // Almost JSON (a trailing comma, a raw tab in a string): the parser's position text stays out too.
    for (const [name, text] of [
      ['comma.json', `{"privateKey": ${JSON.stringify(pem)},\n}`],
      ['tab.json', `{"privateKey": "\t${JSON.stringify(pem).slice(1)}}`],
    ] as const) {
      const err = await refusal(dir, name, text);
      assert.match(err.message, /is not valid JSON; expected .*"privateKey": "<PKCS#8 PEM>"/);
      assert.ok(!err.message.includes(body.slice(0, 8)), err.message);
      assert.doesNotMatch(err.message, /position|Unexpected|Bad control/);
    }

    // Valid JSON, unusable key: what is missing, not what is there.
    assert.match((await refusal(dir, 'nokey.json', `{"seed": "${seed}"}`)).message, /has no privateKey string/);
    const notPem = await refusal(dir, 'notpem.json', JSON.stringify({ privateKey: seed }));
    assert.match(notPem.message, /is not a PEM private key/);
    assert.ok(!notPem.message.includes(seed.slice(0, 8)), notPem.message);
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    assert.match((await refusal(dir, 'p256.json', JSON.stringify({ privateKey: p256 }))).message, /not an Ed25519 key/);

    // A missing file: the file and the error code only.
    assert.match((await refusal(dir, 'absent.json', undefined)).message, /cannot read .*absent\.json \(ENOENT\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('root key file: a bad file stops the start before the database is opened or migrated', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-root-key-start-'));
  try {
    const file = join(dir, 'root.key');
    await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const dataDir = join(dir, 'data');
    const config = loadConfig({
      VOUCH_DATA_DIR: dataDir,
      VOUCH_REGISTRY_ROOT_KEY_FILE: file,
      VOUCH_LOG_LEVEL: 'silent',
    });
    await assert.rejects(startServer(config), (err: unknown) => err instanceof ConfigError);
    assert.equal(existsSync(join(dataDir, 'vouch.db')), false, 'no database was created');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('root key file: a named pipe or a device is refused at once, unread, naming the setting', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-root-key-kind-'));
  const fifo = join(dir, 'root.fifo');
  execFileSync('mkfifo', [fifo]);
  // A watchdog for a hang, not a sleep: on one, a writer opens and closes the pipe so the stuck open() returns.
  const watchdog = setTimeout(() => {
    void open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).then(
      (h) => h.close(),
      () => undefined,
    );
  }, 5_000);
  try {
    const started = Date.now();
    const err = await readRegistryRootKeyFile(loadConfig({ VOUCH_REGISTRY_ROOT_KEY_FILE: fifo })).catch((e) => e);
    assert.ok(Date.now() - started < 5_000, 'the start did not wait for a writer');
    assert.ok(err instanceof ConfigError, String(err));
    assert.match(err.message, /^VOUCH_REGISTRY_ROOT_KEY_FILE: .*root\.fifo is a named pipe/);
    // /dev/zero was read without end.
    const device = await readRegistryRootKeyFile(loadConfig({ VOUCH_REGISTRY_ROOT_KEY_FILE: '/dev/zero' })).catch(
      (e) => e,
    );
    assert.ok(device instanceof ConfigError, String(device));
    assert.match(device.message, /\/dev\/zero is a character device/);
  } finally {
    clearTimeout(watchdog);
    await rm(dir, { recursive: true, force: true });
  }
});
