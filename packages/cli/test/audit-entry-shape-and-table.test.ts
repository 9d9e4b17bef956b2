// `vouch audit` against a loopback server: an entry whose target or requestId is of another type is no audit entry
// (exit 2); the table cuts an entry's details at 120 characters (--json keeps them whole); and from a server that
// answers no `next`, a full page ending at entry 1 has nothing older (no hint). No test held any of these.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { recordingServer, runClean } from './helpers.ts';

const env = { VOUCH_ADMIN_KEY: 'vouch_admin_AUDIT_SHAPE_TEST_0123456789' };
const reply = (res: ServerResponse, body: unknown) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const entry = (id: number, over: Record<string, unknown> = {}) => ({
  id,
  at: '2026-12-04T23:00:00.000Z',
  actor: 'admin',
  action: 'server_key.rotate',
  target: 'tokens',
  details: null,
  requestId: null,
  ...over,
});

test('audit refuses entries whose target or requestId is of another type', async (t) => {
  for (const over of [{ target: 5 }, { target: {} }, { requestId: 7 }, { requestId: [] }]) {
    const server = await recordingServer(t, (res) => reply(res, { entries: [entry(3, over)], next: null }));
    const r = await runClean(env, 'audit', '--server', server.url);
    assert.equal(r.code, 2, `${JSON.stringify(over)}: ${r.out}${r.err}`);
    assert.equal(r.out, '');
    assert.match(r.err, /^vouch: the server's 200 answer is not an audit log page \(no list of audit entries\)\.\n$/);
  }
});

test("audit's table cuts details at 120 characters; a full page down to entry 1 has nothing older", async (t) => {
  const details = { note: 'x'.repeat(300) };
  // A server without `next`: two entries, the page size asked for, the last one entry 1.
  const server = await recordingServer(t, (res) => reply(res, { entries: [entry(2, { details }), entry(1)] }));
  const r = await runClean(env, 'audit', '--limit', '2', '--server', server.url);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '', 'no hint: nothing is older than entry 1');
  const row = r.out.split('\n')[1]!;
  const shown = JSON.stringify(details).slice(0, 119);
  assert.ok(row.endsWith(`  ${shown}…`), row);
  const j = await runClean(env, 'audit', '--limit', '2', '--json', '--server', server.url);
  const listing = JSON.parse(j.out) as { entries: Array<{ details: unknown }>; next: unknown };
  assert.deepEqual([listing.entries[0]!.details, listing.next], [details, null]);
});
