// A VOUCH_* variable the server does not know was silently ignored: a typo such as VOUCH_DATABSE_URL quietly ran the
// server on SQLite. The start now logs one warning naming the unknown names, never their values. Names other Vouch
// programs read (the CLI's VOUCH_SERVER, the tests' VOUCH_TEST_DATABASE_URL, ...) are not warned about.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_VARIABLES, loadConfig, OTHER_PROGRAMS_VARIABLES } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { LogCapture, TEST_ADMIN_KEY } from './helpers/app.ts';

const SECRET = 'postgres://vouch:s3cret-password@db.example/vouch';

test('unknown VOUCH_* names are warned about once at start, by name only', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-unknown-names-'));
  const logs = new LogCapture();
  try {
    const env = {
      VOUCH_PORT: '0',
      VOUCH_PUBLIC_URL: 'http://vouch.test',
      VOUCH_ADMIN_KEY: TEST_ADMIN_KEY,
      VOUCH_LOG_LEVEL: 'info',
      VOUCH_DATABSE_URL: SECRET,
      VOUCH_ADMIN_KYE: 'another-secret-value-123',
      VOUCH_SERVER: 'http://127.0.0.1:4100',
      VOUCH_TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      SINT_TRUST_REGISTRY_TTL: '60',
      HOME: '/root',
    };
    const config = loadConfig(env, dir);
    assert.deepEqual(config.unknownVariables, ['VOUCH_ADMIN_KYE', 'VOUCH_DATABSE_URL']);
    const server = await startServer(config, { logStream: logs });
    await server.close();
    const warnings = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 40);
    const unknown = warnings.filter((l) => String(l.msg).includes('unknown'));
    assert.equal(unknown.length, 1, logs.text());
    assert.deepEqual(unknown[0]!.variables, ['VOUCH_ADMIN_KYE', 'VOUCH_DATABSE_URL']);
    assert.ok(!logs.text().includes('s3cret-password'), 'a value appeared in the log');
    assert.ok(!logs.text().includes('another-secret-value-123'), 'a value appeared in the log');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('no warning when every VOUCH_* name is known', () => {
  assert.deepEqual(
    loadConfig({ VOUCH_PORT: '4100', VOUCH_HOME: '/x', VOUCH_FUZZ_RUNS: '5', VOUCH_FUZZ_SEED: '7' }).unknownVariables,
    [],
  );
});

test("every VOUCH_* name the CLI reads is a server variable or listed as another program's", () => {
  const known = new Set([...CONFIG_VARIABLES.map((v) => v.name), ...OTHER_PROGRAMS_VARIABLES]);
  const root = join(import.meta.dirname, '../../cli/src');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const names = new Set(
    files.flatMap((f) => readFileSync(join(root, f), 'utf8').match(/VOUCH_[A-Z0-9_]*[A-Z0-9]/g) ?? []),
  );
  assert.ok(names.has('VOUCH_HOME'), "the scan finds the CLI's names");
  assert.deepEqual(
    [...names].filter((n) => !known.has(n)),
    [],
  );
});
