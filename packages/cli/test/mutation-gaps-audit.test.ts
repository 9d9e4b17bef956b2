// Mutations of commands/audit.ts that every audit test let through: each check below fails under the mutation named
// in its comment and passes on the code as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../src/exit.ts';
import { auditPageOf, MAX_AUDIT_ALL } from '../src/commands/audit.ts';
import type { AuditEntry } from '../src/commands/audit.ts';
import { recordingServer, runClean, tempDir } from './helpers.ts';

const entry = (id: number): AuditEntry => ({
  id,
  at: '2026-12-04T23:00:00.000Z',
  actor: 'admin',
  action: 'server_key.rotate',
  target: 'tokens',
  details: null,
  requestId: null,
});

const refused = (body: unknown, q: { limit: number; before?: number }, why: RegExp) =>
  assert.throws(
    () => auditPageOf(200, body, q),
    (err: unknown) => err instanceof CliError && why.test(err.message),
  );

test('a page that does not move below --before, or repeats an id, is refused', () => {
  // `e.id >= above` mutated to `>`: a server answering `before=5` with entry 5 again was taken (printed twice), and a
  // full page of one id repeated, whose next is that id, sent --all back to the same page for ever.
  refused({ entries: [entry(5), entry(4)], next: null }, { limit: 10, before: 5 }, /entries not newest first/);
  refused({ entries: [entry(5), entry(5)], next: 5 }, { limit: 2, before: 6 }, /entries not newest first/);
  assert.deepEqual(auditPageOf(200, { entries: [entry(4)], next: null }, { limit: 10, before: 5 }), {
    entries: [entry(4)],
    next: null,
  });
});

test('an entry whose id is 0 is not an audit entry', () => {
  // `(v.id as number) >= 1` mutated to `>= 0`: ids start at 1; a 0 would become `--before 0`, which the CLI refuses.
  refused({ entries: [entry(0)], next: null }, { limit: 10 }, /no list of audit entries/);
});

test('--all over a log of exactly its cap prints it all, with no next and no "stopped" line', async (t) => {
  // `(entries.length === MAX_AUDIT_ALL && next !== null)` mutated to drop `next !== null`: a log of exactly
  // MAX_AUDIT_ALL entries was reported cut short, with a --before that leads to nothing.
  const dir = await tempDir(t, 'vouch-audit-');
  const admin = join(dir, 'admin.key');
  await writeFile(admin, 'vouch_admin_AUDIT_SECRET_0123456789\n', { mode: 0o600 });
  const total = MAX_AUDIT_ALL;
  const server = await recordingServer(t, (res, seen) => {
    const q = new URL(seen.url, 'http://x').searchParams;
    const top = Math.min(Number(q.get('before') ?? total + 1) - 1, total);
    const ids = Array.from({ length: Math.max(0, Math.min(Number(q.get('limit')), top)) }, (_, i) => top - i);
    const next = ids.length > 0 && ids.at(-1)! > 1 ? ids.at(-1)! : null;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ entries: ids.map(entry), next }));
  });
  const r = await runClean({}, 'audit', '--server', server.url, '--admin-key-file', admin, '--all', '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  const listing = JSON.parse(r.out) as { entries: AuditEntry[]; next: number | null };
  assert.equal(listing.entries.length, MAX_AUDIT_ALL);
  assert.equal(listing.entries.at(-1)!.id, 1);
  assert.equal(listing.next, null);
});
