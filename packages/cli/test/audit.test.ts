// `vouch audit` reads GET /api/v1/admin/audit with the admin key (--admin-key-file or $VOUCH_ADMIN_KEY): a table by
// default, {entries, next} with --json, the server's filter (--action) and paging (--limit, --before; --all follows
// the pages, at most MAX_AUDIT_ALL entries). Against a real server on loopback, then against a tiny loopback server
// whose answers are not audit pages: each ends with exit 2 and one line, never a stack trace or an endless loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { loadConfig, startServer } from '@vouch/server';
import { eachEngine } from '../../server/test/helpers/storage.ts';
import { serverEnv, TEST_ADMIN_KEY } from '../../server/test/helpers/app.ts';
import { recordingServer, tempDir, runClean } from './helpers.ts';
import { MAX_AUDIT_ALL, MAX_AUDIT_PAGE } from '../src/commands/audit.ts';
import type { AuditEntry } from '../src/commands/audit.ts';

async function keyFile(dir: string, key: string, name = 'admin.key'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

interface Listing {
  entries: AuditEntry[];
  next: number | null;
}

eachEngine('vouch audit against a live server: table, --json, --action, --limit/--before and --all', async (ctx) => {
  const env = { ...serverEnv(ctx.engine, ctx.options), VOUCH_HOST: '127.0.0.1' };
  const server = await startServer(loadConfig(env));
  try {
    const dir = await tempDir(ctx.t, 'vouch-audit-');
    const admin = await keyFile(dir, TEST_ADMIN_KEY);
    const at = ['--server', server.address, '--admin-key-file', admin];
    for (let i = 0; i < 3; i++) {
      const rotated = await runClean({}, 'keys', 'rotate', ...at);
      assert.equal(rotated.code, 0, rotated.err);
    }

    const whole = await runClean({}, 'audit', ...at, '--json');
    assert.equal(whole.code, 0, whole.err);
    assert.equal(whole.err, '');
    const log = JSON.parse(whole.out) as Listing;
    assert.equal(log.next, null, 'fewer than a page');
    const ids = log.entries.map((e) => e.id);
    assert.ok(ids.length >= 4, `start-up entries and three rotations: ${ids.join(',')}`);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      'newest first',
    );
    const rotations = log.entries.filter((e) => e.action === 'server_key.rotate');
    assert.equal(rotations.length, 3);

    const filtered = await runClean({}, 'audit', ...at, '--json', '--action', 'server_key.rotate');
    assert.equal(filtered.code, 0, filtered.err);
    assert.deepEqual((JSON.parse(filtered.out) as Listing).entries, rotations);
    const none = await runClean({}, 'audit', ...at, '--json', '--action', 'no.such.action');
    assert.deepEqual(JSON.parse(none.out), { entries: [], next: null });

    // Two at a time: next is the last id of a full page, and --before it gives the following page.
    const first = await runClean({}, 'audit', ...at, '--json', '--limit', '2');
    const p1 = JSON.parse(first.out) as Listing;
    assert.deepEqual(
      p1.entries.map((e) => e.id),
      ids.slice(0, 2),
    );
    assert.equal(p1.next, ids[1]);
    const second = await runClean({}, 'audit', ...at, '--json', '--limit', '2', '--before', String(p1.next));
    assert.deepEqual(
      (JSON.parse(second.out) as Listing).entries.map((e) => e.id),
      ids.slice(2, 4),
    );

    // --all follows the pages to the oldest entry: the same log as one large page.
    const all = await runClean({}, 'audit', ...at, '--json', '--all', '--limit', '2');
    assert.equal(all.code, 0, all.err);
    assert.deepEqual(JSON.parse(all.out), log);

    // The table: a header, one line per entry, the hint for older entries on stderr (stdout holds the table alone).
    const human = await runClean({}, 'audit', ...at, '--action', 'server_key.rotate', '--limit', '2');
    assert.equal(human.code, 0, human.err);
    const lines = human.out.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID +AT +ACTOR +ACTION +TARGET +DETAILS$/);
    assert.equal(lines.length, 3, human.out);
    assert.match(lines[1]!, new RegExp(`^${rotations[0]!.id} +${rotations[0]!.at} +\\S+ +server_key\\.rotate `));
    assert.equal(human.err, `vouch: older entries follow: add --before ${rotations[1]!.id}.\n`);
    const empty = await runClean({}, 'audit', ...at, '--action', 'no.such.action');
    assert.equal(empty.out, 'no audit entries.\n');

    // Refusals are exit 2 with the server's code: a wrong key, a filter the server refuses.
    const wrong = await runClean(
      {},
      'audit',
      '--server',
      server.address,
      '--admin-key-file',
      await keyFile(dir, 'x'.repeat(32), 'wrong.key'),
    );
    assert.equal(wrong.code, 2);
    assert.match(wrong.err, /^vouch: the server refused: [A-Z_]+: .*\n$/);
    const control = await runClean({}, 'audit', ...at, '--action', 'a\u0001b');
    assert.equal(control.code, 2);
    assert.match(control.err, /the server refused: VALIDATION_FAILED/);
    assert.ok(![wrong, control].some((r) => r.err.includes(TEST_ADMIN_KEY)));
  } finally {
    await server.close();
  }
});

eachEngine("vouch audit follows the server's next: a full last page asks for nothing more", async (ctx) => {
  const env = { ...serverEnv(ctx.engine, ctx.options), VOUCH_HOST: '127.0.0.1' };
  const server = await startServer(loadConfig(env));
  try {
    // A loopback proxy in front of the real server, recording what the CLI asks for.
    const proxy = await recordingServer(ctx.t, (res, seen) => {
      void fetch(new URL(seen.url, server.address), { headers: { 'x-api-key': String(seen.headers['x-api-key']) } })
        .then(async (r) => reply(res, r.status, await r.text()))
        .catch(() => res.destroy());
    });
    const dir = await tempDir(ctx.t, 'vouch-audit-');
    const at = ['--server', proxy.url, '--admin-key-file', await keyFile(dir, TEST_ADMIN_KEY)];
    for (let i = 0; i < 3; i++) {
      const rotated = await runClean({}, 'keys', 'rotate', '--server', server.address, ...at.slice(2));
      assert.equal(rotated.code, 0, rotated.err);
    }
    const rotate = ['--action', 'server_key.rotate'];
    const asked = async (...args: string[]) => {
      const before = proxy.seen.length;
      const r = await runClean({}, 'audit', ...at, ...rotate, ...args);
      assert.equal(r.code, 0, r.err);
      return { ...r, urls: proxy.seen.slice(before).map((s) => s.url) };
    };

    // The three rotations are exactly one full page: it is the last, so no next and no hint.
    const exact = await asked('--json', '--limit', '3');
    const page = JSON.parse(exact.out) as Listing;
    assert.equal(page.entries.length, 3);
    assert.equal(page.next, null, 'a full last page');
    const human = await asked('--limit', '3');
    assert.equal(human.err, '', 'no hint: nothing older');
    assert.equal(human.out.trimEnd().split('\n').length, 4, human.out);

    // A page another follows still gives next and the hint.
    const two = await asked('--limit', '2');
    assert.equal(two.err, `vouch: older entries follow: add --before ${page.entries[1]!.id}.\n`);

    // --all stops on the page the server says is the last, without asking for an empty one.
    const byOne = await asked('--json', '--all', '--limit', '1');
    assert.deepEqual(JSON.parse(byOne.out), page);
    assert.deepEqual(byOne.urls, [
      '/api/v1/admin/audit?limit=1&action=server_key.rotate',
      `/api/v1/admin/audit?limit=1&before=${page.entries[0]!.id}&action=server_key.rotate`,
      `/api/v1/admin/audit?limit=1&before=${page.entries[1]!.id}&action=server_key.rotate`,
    ]);
    const byThree = await asked('--json', '--all', '--limit', '3');
    assert.deepEqual(JSON.parse(byThree.out), page);
    assert.equal(byThree.urls.length, 1, byThree.urls.join(' '));
  } finally {
    await server.close();
  }
});

const entry = (id: number, action = 'server_key.rotate'): AuditEntry => ({
  id,
  at: '2026-12-04T23:00:00.000Z',
  actor: 'admin',
  action,
  target: 'tokens',
  details: { generation: 2 },
  requestId: null,
});

const reply = (res: ServerResponse, status: number, body: string) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);

test('an answer that is not an audit page is exit 2 and one line, never a stack trace', async (t) => {
  const dir = await tempDir(t, 'vouch-audit-');
  const admin = await keyFile(dir, 'vouch_admin_AUDIT_SECRET_0123456789');
  const cases: ReadonlyArray<readonly [string, string[], RegExp]> = [
    ['not json', [], /answered 200 with a body that is not JSON/],
    ['{}', [], /not an audit log page \(no list of audit entries\)/],
    ['[]', [], /not an audit log page/],
    ['{"entries":"x"}', [], /not an audit log page/],
    ['{"entries":[null]}', [], /not an audit log page/],
    [JSON.stringify({ entries: [{ ...entry(3), id: '3' }] }), [], /not an audit log page/],
    [JSON.stringify({ entries: [{ ...entry(3), details: 'x' }] }), [], /not an audit log page/],
    [JSON.stringify({ entries: [{ ...entry(3), at: undefined }] }), [], /not an audit log page/],
    [JSON.stringify({ entries: [entry(3), entry(2), entry(1)] }), ['--limit', '2'], /3 entries, 2 asked for/],
    [JSON.stringify({ entries: [entry(2), entry(3)] }), [], /entries not newest first/],
    [JSON.stringify({ entries: [entry(7), entry(6)] }), ['--before', '5'], /entries not newest first/],
    [JSON.stringify({ entries: [entry(3, 'kek.bind')] }), ['--action', 'server_key.rotate'], /another action/],
    // A next is null or the id of the last entry of a full page: anything else could send --all anywhere.
    [JSON.stringify({ entries: [entry(3), entry(2)], next: '2' }), ['--limit', '2'], /a next that is not/],
    [JSON.stringify({ entries: [entry(3), entry(2)], next: 9 }), ['--limit', '2'], /a next that is not/],
    [JSON.stringify({ entries: [entry(3), entry(2)], next: 2 }), ['--limit', '3'], /a next after a short page/],
    [JSON.stringify({ entries: [], next: 5 }), [], /a next after a short page/],
  ];
  for (const [body, args, message] of cases) {
    const server = await recordingServer(t, (res) => reply(res, 200, body));
    for (const json of [[], ['--json']]) {
      const r = await runClean({}, 'audit', '--server', server.url, '--admin-key-file', admin, ...args, ...json);
      assert.equal(r.code, 2, `${body}: ${r.err}`);
      assert.equal(r.out, '', body);
      assert.match(r.err, message, body);
      assert.equal(r.err.split('\n').length, 2, `one line: ${r.err}`);
      assert.doesNotMatch(r.err, /TypeError|Cannot read properties|\n\s+at /);
    }
  }

  // A server that answers the same full page whatever --before says: --all stops at the second page, exit 2.
  const stuck = await recordingServer(t, (res) => reply(res, 200, JSON.stringify({ entries: [entry(9), entry(8)] })));
  const loop = await runClean({}, 'audit', '--server', stuck.url, '--admin-key-file', admin, '--all', '--limit', '2');
  assert.equal(loop.code, 2, loop.err);
  assert.match(loop.err, /entries not newest first/);
  assert.equal(loop.out, '');
  assert.equal(stuck.seen.length, 2);
  assert.equal(stuck.seen[1]!.url, '/api/v1/admin/audit?limit=2&before=8');

  // A server's refusal without the {error, code} shape is its status.
  const proxy = await recordingServer(t, (res) =>
    res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>x</h1>'),
  );
  const bad = await runClean({}, 'audit', '--server', proxy.url, '--admin-key-file', admin);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^vouch: .*502 with a body that is not JSON\.\n$/);
});

test('options are checked before anything is sent; --all stops at its cap and says where to go on', async (t) => {
  const dir = await tempDir(t, 'vouch-audit-');
  const admin = await keyFile(dir, 'vouch_admin_AUDIT_SECRET_0123456789');
  // A log of 20,000 entries, served as the real route pages it (limit, before).
  const server = await recordingServer(t, (res, seen) => {
    const q = new URL(seen.url, 'http://x').searchParams;
    const top = Math.min(Number(q.get('before') ?? 20_001) - 1, 20_000);
    const limit = Number(q.get('limit'));
    const ids = Array.from({ length: Math.max(0, Math.min(limit, top)) }, (_, i) => top - i);
    reply(res, 200, JSON.stringify({ entries: ids.map((id) => entry(id)) }));
  });
  const at = ['--server', server.url, '--admin-key-file', admin];
  for (const args of [
    ['--limit', '0'],
    ['--limit', String(MAX_AUDIT_PAGE + 1)],
    ['--limit', '1.5'],
    ['--before', '0'],
    ['--before', 'x'],
    ['--before', '9007199254740992'],
    ['--action', ''],
  ]) {
    const r = await runClean({}, 'audit', ...at, ...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /^vouch: --(limit|before|action) must /, r.err);
  }
  const keyless = await runClean({}, 'audit', '--server', server.url);
  assert.equal(keyless.code, 2);
  assert.match(keyless.err, /give \$VOUCH_ADMIN_KEY \(or --admin-key-file\)/);
  assert.equal(server.seen.length, 0, 'nothing was sent');

  const all = await runClean({}, 'audit', ...at, '--all', '--json', '--limit', '300');
  assert.equal(all.code, 0, all.err);
  const listing = JSON.parse(all.out) as Listing;
  assert.equal(listing.entries.length, MAX_AUDIT_ALL);
  assert.equal(listing.entries.at(-1)!.id, 20_000 - MAX_AUDIT_ALL + 1);
  assert.equal(listing.next, 20_000 - MAX_AUDIT_ALL + 1);
  assert.equal(
    all.err,
    `vouch: stopped at ${MAX_AUDIT_ALL} entries; older ones follow with --before ${listing.next}.\n`,
  );
  assert.equal(server.seen.length, Math.ceil(MAX_AUDIT_ALL / 300));
  assert.ok(server.seen.every((s) => s.headers['x-api-key'] === 'vouch_admin_AUDIT_SECRET_0123456789'));
  // The table says it once too: --all's own line, not also the hint of one page ("add --before").
  const table = await runClean({}, 'audit', ...at, '--all', '--limit', '500');
  assert.equal(table.code, 0, table.err);
  assert.equal(table.out.trimEnd().split('\n').length, MAX_AUDIT_ALL + 1, 'a header and the entries');
  assert.equal(
    table.err,
    `vouch: stopped at ${MAX_AUDIT_ALL} entries; older ones follow with --before ${listing.next}.\n`,
  );
});

test('a server that answers no next: a full page may be followed, and --all asks until a short page', async (t) => {
  const dir = await tempDir(t, 'vouch-audit-');
  const admin = await keyFile(dir, 'vouch_admin_AUDIT_SECRET_0123456789');
  // Two entries, 9 and 8, as a server from before `next` pages them.
  const server = await recordingServer(t, (res, seen) => {
    const before = new URL(seen.url, 'http://x').searchParams.get('before');
    reply(res, 200, JSON.stringify({ entries: before === null ? [entry(9), entry(8)] : [] }));
  });
  const at = ['--server', server.url, '--admin-key-file', admin, '--limit', '2'];
  const one = await runClean({}, 'audit', ...at);
  assert.equal(one.code, 0, one.err);
  assert.equal(one.err, 'vouch: older entries follow: add --before 8.\n', 'it cannot know there are none');
  const all = await runClean({}, 'audit', ...at, '--all', '--json');
  assert.equal(all.code, 0, all.err);
  assert.deepEqual(JSON.parse(all.out), { entries: [entry(9), entry(8)], next: null });
  assert.deepEqual(
    server.seen.slice(1).map((s) => s.url),
    ['/api/v1/admin/audit?limit=2', '/api/v1/admin/audit?limit=2&before=8'],
  );
});

test('--all prints at most its cap also when the page that passes it is the last', async (t) => {
  const dir = await tempDir(t, 'vouch-audit-');
  const admin = await keyFile(dir, 'vouch_admin_AUDIT_SECRET_0123456789');
  // A log of MAX_AUDIT_ALL + 2 entries: with --limit 300 the last page, a short one, passes the cap. Before, --all
  // printed all MAX_AUDIT_ALL + 2, though its help says at most MAX_AUDIT_ALL.
  const total = MAX_AUDIT_ALL + 2;
  const server = await recordingServer(t, (res, seen) => {
    const q = new URL(seen.url, 'http://x').searchParams;
    const top = Math.min(Number(q.get('before') ?? total + 1) - 1, total);
    const ids = Array.from({ length: Math.max(0, Math.min(Number(q.get('limit')), top)) }, (_, i) => top - i);
    const next = ids.length > 0 && ids.at(-1)! > 1 ? ids.at(-1)! : null;
    reply(res, 200, JSON.stringify({ entries: ids.map((id) => entry(id)), next }));
  });
  const r = await runClean(
    {},
    'audit',
    '--server',
    server.url,
    '--admin-key-file',
    admin,
    '--all',
    '--json',
    '--limit',
    '300',
  );
  assert.equal(r.code, 0, r.err);
  const listing = JSON.parse(r.out) as Listing;
  assert.equal(listing.entries.length, MAX_AUDIT_ALL);
  assert.equal(listing.next, 3, 'entries 2 and 1 follow');
  assert.equal(r.err, `vouch: stopped at ${MAX_AUDIT_ALL} entries; older ones follow with --before 3.\n`);
});
