// `server.audit` answered its entries as `Record<string, unknown>`, so a TypeScript caller could read no member of
// an entry (`id`, `actor`, ...) without a cast, although docs/PROTOCOL.md fixes their shape. They are typed now
// (AuditEntry, AuditPage). Against a real listening server; the failure was the typecheck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VouchClient } from '../src/index.ts';
import type { AuditEntry } from '../src/index.ts';
import { ADMIN_KEY, startLiveServer } from './aip-server.ts';

test('audit answers typed entries, newest first, and next as the following page', async (t) => {
  const live = await startLiveServer();
  t.after(() => live.close());
  const admin = new VouchClient({ baseUrl: live.url, credentials: { adminKey: ADMIN_KEY }, retry: { retries: 0 } });
  const rotated = await admin.server.rotateKey();
  const page = await admin.server.audit({ limit: 1, action: 'server_key.rotate' });
  const [entry]: AuditEntry[] = page.entries;
  const id: number = entry!.id;
  const actor: string = entry!.actor;
  const target: string | null = entry!.target;
  assert.equal(actor, 'admin');
  assert.equal(target, rotated.kid);
  assert.ok(Number.isSafeInteger(id) && !Number.isNaN(Date.parse(entry!.at)));
  const next: number | null = page.next;
  assert.equal(next, null);
});
