// Another connection's write lock on the SQLite file is waited for without holding the event loop: the statement is
// tried again after asynchronous pauses (lib/sqlite-turns.ts), so the holder, here in the same process, can finish
// meanwhile. With SQLite's own (synchronous) busy timeout the waiting statement held the only thread, the holder
// could never commit, and the wait ended in SQLITE_BUSY after 5 s.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStorage, recordAudit } from '../../src/storage/index.ts';

const T0 = Date.UTC(2026, 0, 1);

test('a write behind another connection’s transaction waits for it asynchronously and then lands', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-sqlite-busy-'));
  const a = await openStorage({ dataDir });
  const b = await openStorage({ dataDir });
  try {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = a.db.transaction().execute(async (trx) => {
      await recordAudit(trx, { at: T0, actor: 'a', action: 'test.first' });
      entered();
      await held; // A holds SQLite's write lock until released.
    });
    await inside;
    const second = recordAudit(b.db, { at: T0 + 1, actor: 'b', action: 'test.second' });
    // Turns of the event loop while B waits for the lock: B has tried and been refused by now.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    release();
    await first;
    await second;
    const actions = await a.db.selectFrom('audit_log').select('action').orderBy('id').execute();
    assert.deepEqual(
      actions.map((r) => r.action),
      ['test.first', 'test.second'],
    );
  } finally {
    await b.close();
    await a.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
