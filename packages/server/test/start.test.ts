import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { SERVER_KEY_PURPOSES, startServer } from '../src/start.ts';
import { LogCapture, serverEnv } from './helpers/app.ts';
import { eachEngine } from './helpers/storage.ts';

test('a server with no configuration serves on SQLite, generates its admin key (0600) and never logs a secret', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-start-'));
  const logs = new LogCapture();
  const config = loadConfig({ VOUCH_PORT: '0', VOUCH_PUBLIC_URL: 'http://vouch.test', VOUCH_LOG_LEVEL: 'debug' }, dir);
  const server = await startServer(config, { logStream: logs });
  try {
    const base = server.address;
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });

    const keyFile = join(dir, 'data', 'admin.key');
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    const adminKey = (await readFile(keyFile, 'utf8')).trim();
    const kekHex = (await readFile(join(dir, 'data', 'kek.key'), 'utf8')).trim();
    assert.equal((await stat(join(dir, 'data', 'kek.key'))).mode & 0o777, 0o600);
    await stat(join(dir, 'data', 'vouch.db'));

    // Secrets travel in every place a careless logger might pick them up: headers, query strings, bodies.
    const secrets = [adminKey, kekHex, 'query-token-abcdef123456', 'body-secret-abcdef123456'];
    assert.equal((await fetch(`${base}/metrics`, { headers: { 'x-api-key': adminKey } })).status, 200);
    assert.equal((await fetch(`${base}/metrics`, { headers: { 'x-api-key': `${adminKey}x` } })).status, 401);
    await fetch(`${base}/api/v1/admin/audit?token=query-token-abcdef123456`, {
      headers: { 'x-api-key': adminKey, authorization: `Bearer ${adminKey}` },
    });
    await fetch(`${base}/healthz?apiKey=query-token-abcdef123456`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'body-secret-abcdef123456', adminKey }),
    });

    const text = logs.text();
    assert.match(text, /vouch server listening/);
    assert.ok(text.includes(keyFile), 'the admin key file path is logged');
    assert.ok(
      logs.lines.every((l) => JSON.parse(l)),
      'every log line is JSON',
    );
    for (const s of secrets) assert.ok(!text.includes(s), 'a secret appeared in the log');
  } finally {
    await server.close();
  }

  // A second start keeps the same admin key, KEK and server key.
  const again = await startServer(config, { logStream: new LogCapture() });
  try {
    assert.equal((await fetch(`${again.address}/healthz`)).status, 200);
  } finally {
    await again.close();
    await rm(dir, { recursive: true, force: true });
  }
});

eachEngine('servers starting on one database share one server key and all serve', async ({ engine, options, open }) => {
  const env = serverEnv(engine, options);
  const config = loadConfig(env);
  // PostgreSQL: three processes race through migrations, KEK check and key creation. SQLite serves one
  // process per data directory, so its servers start one after another.
  const servers =
    engine === 'postgres'
      ? await Promise.all([startServer(config), startServer(config), startServer(config)])
      : [await startServer(config), await startServer(config)];
  try {
    for (const s of servers) assert.equal((await fetch(`${s.address}/readyz`)).status, 200);
  } finally {
    for (const s of servers) await s.close();
  }
  const storage = await open();
  const keys = await storage.db.selectFrom('server_keys').select(['purpose', 'generation']).execute();
  assert.deepEqual(
    keys.map((k) => k.purpose).sort(),
    SERVER_KEY_PURPOSES.map((p) => p.purpose).sort(),
    'one key per purpose, however many processes started',
  );
});

test('PostgreSQL without VOUCH_ADMIN_KEY or VOUCH_KEK_FILE refuses to start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-start-'));
  try {
    await assert.rejects(
      startServer(
        loadConfig(
          {
            VOUCH_PORT: '0',
            VOUCH_PUBLIC_URL: 'http://vouch.test',
            VOUCH_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x',
          },
          dir,
        ),
      ),
      /VOUCH_ADMIN_KEY is required/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
