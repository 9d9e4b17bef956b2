// A start that fails at listen (the port is taken) has built the app by then: its housekeeping timers (token,
// signed-request, domain-challenge and capability prunes, the registry's re-signing) must stop with it. They kept
// running against the closed database in the process that called startServer, each failing and logging a warning
// every minute for as long as that process lived.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mock } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { LogCapture, serverEnv } from './helpers/app.ts';
import { eachEngine } from './helpers/storage.ts';

eachEngine('a start refused at listen leaves no timer of its app running', async ({ engine, options, t }) => {
  const taker = createServer().listen(0, '127.0.0.1');
  await once(taker, 'listening');
  t.after(() => new Promise((resolve) => taker.close(resolve)));
  const taken = (taker.address() as AddressInfo).port;
  const env = {
    ...serverEnv(engine, { dataDir: options.dataDir, databaseUrl: options.databaseUrl, pgSchema: options.pgSchema }),
    VOUCH_HOST: '127.0.0.1',
    VOUCH_PORT: String(taken),
    VOUCH_LOG_LEVEL: 'warn',
  };
  const logs = new LogCapture();
  // Only setInterval: the modules' housekeeping runs on it, the database drivers' own timers do not.
  mock.timers.enable({ apis: ['setInterval'] });
  t.after(() => mock.timers.reset());
  await assert.rejects(startServer(loadConfig(env), { logStream: logs }), { code: 'EADDRINUSE' });
  const before = logs.lines.length;
  // An hour of housekeeping minutes.
  for (let minute = 0; minute < 60; minute++) {
    mock.timers.tick(60_000);
    for (let i = 0; i < 20; i++) await nextTurn();
  }
  assert.deepEqual(
    logs.lines.slice(before).map((l) => (JSON.parse(l) as { msg: string }).msg),
    [],
    'nothing of the failed start runs on',
  );
});

// The same for a start refused while the app is built: a consumer's pinned root key that is no key is refused by the
// registry module, after the agents and tokens modules had started their housekeeping.
eachEngine('a start refused while its app is built leaves no timer of it running', async ({ engine, options, t }) => {
  const env = {
    ...serverEnv(engine, { dataDir: options.dataDir, databaseUrl: options.databaseUrl, pgSchema: options.pgSchema }),
    VOUCH_TRUST_REGISTRY_URL: 'registry/agent-trust.json',
    VOUCH_TRUST_REGISTRY_ROOT_KEY: 'not-a-key',
    VOUCH_LOG_LEVEL: 'warn',
  };
  const logs = new LogCapture();
  mock.timers.enable({ apis: ['setInterval'] });
  t.after(() => mock.timers.reset());
  await assert.rejects(startServer(loadConfig(env), { logStream: logs }), /VOUCH_TRUST_REGISTRY_ROOT_KEY must be/);
  const before = logs.lines.length;
  for (let minute = 0; minute < 60; minute++) {
    mock.timers.tick(60_000);
    for (let i = 0; i < 20; i++) await nextTurn();
  }
  assert.deepEqual(
    logs.lines.slice(before).map((l) => (JSON.parse(l) as { msg: string }).msg),
    [],
    'nothing of the failed start runs on',
  );
});
