// startServer runs timers of its own beside the app's housekeeping: the rate-limit prune and the domain re-check,
// each every minute. close() stops them before the database closes. Nothing checked it for the prune: without its
// `clearInterval` in close(), a process that stopped one server (an embedding program, the CLI's tests) went on
// pruning against the closed database, failing with a warning every minute for as long as the process lived. (The
// re-check is also stopped by its abort signal: a pass started after close() returns before any query.)
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/start.ts';
import { LogCapture, serverEnv } from './helpers/app.ts';
import { messagesOverAnHour, mockIntervals } from './helpers/idle-hour.ts';
import { eachEngine } from './helpers/storage.ts';

eachEngine('a closed server runs none of its timers on', async ({ engine, options, t }) => {
  const env = {
    ...serverEnv(engine, { dataDir: options.dataDir, databaseUrl: options.databaseUrl, pgSchema: options.pgSchema }),
    VOUCH_HOST: '127.0.0.1',
    VOUCH_PORT: '0',
    VOUCH_LOG_LEVEL: 'warn',
  };
  const logs = new LogCapture();
  mockIntervals(t);
  const server = await startServer(loadConfig(env), { logStream: logs });
  await server.close();
  assert.deepEqual(await messagesOverAnHour(logs), [], 'nothing of the closed server runs on');
});
