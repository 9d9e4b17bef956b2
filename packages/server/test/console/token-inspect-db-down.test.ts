// The token inspector gives a verdict on the token only: a database that cannot answer is the server's failure, a 503
// with a code like on every route, never a page saying the token is invalid.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStorage } from '../../src/storage/index.ts';
import { issue, registerAgent, tokenApp } from '../tokens/helpers.ts';

test('a database failure while the inspector verifies is a 503, not a verdict on the token', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-inspect-db-'));
  const storage = await openStorage({ dataDir });
  const t = await tokenApp(storage);
  try {
    const agent = await registerAgent(t);
    const { token } = await issue(t, agent);
    const ok = await t.app.inject({ method: 'POST', url: '/tokens/inspect', payload: { token } });
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /valid/i);

    await storage.close();
    // Past the verify cache's freshness, so the verification has to ask the database.
    t.clock.advance(60_000);
    const res = await t.app.inject({ method: 'POST', url: '/tokens/inspect', payload: { token } });
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(res.json().code, 'DATABASE_UNAVAILABLE');
  } finally {
    await t.app.close();
    await storage.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
});
