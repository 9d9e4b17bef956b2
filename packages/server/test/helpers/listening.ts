// Waiting until a storage's change listener is up (PostgreSQL), so that a test's announcement is not sent while the
// listener is still connecting: one sent before its LISTEN is lost for good (the listener then says "everything").
import { randomUUID } from 'node:crypto';
import { announceChange } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { READY_MS, within } from './within.ts';

/**
 * Announces a probe topic on `storage` until its own listener hears one: from then on it hears every announcement
 * committed on the database. PostgreSQL only (SQLite announces nothing).
 */
export async function listenerHears(storage: Storage): Promise<void> {
  const probe = `probe:${randomUUID()}`;
  let heard = false;
  const off = storage.changes.subscribe((topic) => {
    if (topic === probe) heard = true;
  });
  try {
    await within(READY_MS, 'the change listener hears announcements', async () => {
      if (!heard) await announceChange(storage.db, 'postgres', probe);
      return heard;
    });
  } finally {
    off();
  }
}
