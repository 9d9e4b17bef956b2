// A setting that only one mode reads was ignored without a word in the other: `VOUCH_DATABASE_URL=$DB_URL` with DB_URL
// unset beside `VOUCH_DATABASE_SCHEMA` ran the server on a fresh SQLite database, and a pinned
// VOUCH_TRUST_REGISTRY_ROOT_KEY without VOUCH_TRUST_REGISTRY_URL made the server its own registry authority. The start
// now logs one warning naming such settings (never their values); it still starts as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { LogCapture, TEST_ADMIN_KEY } from './helpers/app.ts';

const ROOT_KEY = 'ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

test('settings of the mode not in use are named, by name only', () => {
  const sqlite = loadConfig({
    VOUCH_DATABASE_URL: '',
    VOUCH_DATABASE_SCHEMA: 'vouch_prod',
    VOUCH_PG_LOCK_TIMEOUT_MS: '1000',
    VOUCH_PG_PREPARED_STATEMENTS: '0',
    VOUCH_TRUST_REGISTRY_ROOT_KEY: ROOT_KEY,
    VOUCH_TRUST_REGISTRY_TTL: '60',
    VOUCH_TRUST_REGISTRY_MAX_LIFETIME: 'off',
  });
  assert.deepEqual(sqlite.unusedVariables, [
    'VOUCH_DATABASE_SCHEMA',
    'VOUCH_PG_LOCK_TIMEOUT_MS',
    'VOUCH_PG_PREPARED_STATEMENTS',
    'VOUCH_TRUST_REGISTRY_MAX_LIFETIME',
    'VOUCH_TRUST_REGISTRY_ROOT_KEY',
    'VOUCH_TRUST_REGISTRY_TTL',
  ]);
  const consumer = loadConfig({
    VOUCH_DATABASE_URL: 'postgres://db.example/vouch',
    VOUCH_DATABASE_SCHEMA: 'vouch_prod',
    VOUCH_TRUST_REGISTRY_URL: 'https://registry.example/registry.json',
    VOUCH_TRUST_REGISTRY_ROOT_KEY: ROOT_KEY,
    VOUCH_REGISTRY_ROOT_KEY_FILE: '/etc/vouch/root.json',
    VOUCH_REGISTRY_VALIDITY: '86400',
  });
  assert.deepEqual(consumer.unusedVariables, ['VOUCH_REGISTRY_ROOT_KEY_FILE', 'VOUCH_REGISTRY_VALIDITY']);
  // Empty values are unset: nothing to warn about.
  assert.deepEqual(loadConfig({ VOUCH_DATABASE_SCHEMA: ' ', VOUCH_TRUST_REGISTRY_ROOT_KEY: '' }).unusedVariables, []);
});

test('the start warns once about settings its mode does not read', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-unused-in-mode-'));
  const logs = new LogCapture();
  try {
    const config = loadConfig(
      {
        VOUCH_PORT: '0',
        VOUCH_PUBLIC_URL: 'http://vouch.test',
        VOUCH_ADMIN_KEY: TEST_ADMIN_KEY,
        VOUCH_LOG_LEVEL: 'info',
        VOUCH_DATABASE_SCHEMA: 'vouch_prod',
        VOUCH_TRUST_REGISTRY_ROOT_KEY: ROOT_KEY,
      },
      dir,
    );
    const server = await startServer(config, { logStream: logs });
    await server.close();
    const warnings = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 40);
    const unused = warnings.filter((l) => String(l.msg).includes('not read'));
    assert.equal(unused.length, 1, logs.text());
    assert.deepEqual(unused[0]!.variables, ['VOUCH_DATABASE_SCHEMA', 'VOUCH_TRUST_REGISTRY_ROOT_KEY']);
    assert.ok(!logs.text().includes(ROOT_KEY), 'a value appeared in the log');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
