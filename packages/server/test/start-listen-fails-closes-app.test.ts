// A start that fails at listen (the port is taken) has built the app by then: its housekeeping timers (token,
// signed-request, domain-challenge and capability prunes, the registry's re-signing) must stop with it. They kept
// running against the closed database in the process that called startServer, each failing and logging a warning
// every minute for as long as that process lived.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { LogCapture, serverEnv } from './helpers/app.ts';
import { messagesOverAnHour, mockIntervals } from './helpers/idle-hour.ts';
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
  mockIntervals(t);
  await assert.rejects(startServer(loadConfig(env), { logStream: logs }), { code: 'EADDRINUSE' });
  assert.deepEqual(await messagesOverAnHour(logs), [], 'nothing of the failed start runs on');
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
  mockIntervals(t);
  await assert.rejects(startServer(loadConfig(env), { logStream: logs }), /VOUCH_TRUST_REGISTRY_ROOT_KEY must be/);
  assert.deepEqual(await messagesOverAnHour(logs), [], 'nothing of the failed start runs on');
});
