// `vouch keys rotate --compromised` drops the previous token key (with `--purpose capability`, capability key) and
// every earlier retired one (docs/PROTOCOL.md, "Keys"): the operator answering a leak must see each key that stopped
// verifying, not only the one just retired, since tokens of the earlier ones die too. The server's answer lists them
// all in `dropped`; so must the text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers.ts';
import { ADMIN_KEY, startLiveServer } from '../../sdk/test/aip-server.ts';
import type { LiveServer } from '../../sdk/test/aip-server.ts';

let live: LiveServer;
before(async () => {
  live = await startLiveServer();
});
after(async () => {
  await live?.close();
});

const admin = () => ['--server', live.url, '--admin-key', ADMIN_KEY];

test('keys rotate --compromised names every dropped key, the earlier retired ones included', async () => {
  const first = await run('keys', 'rotate', '--json', ...admin());
  assert.equal(first.code, 0, first.err);
  const earlier = (JSON.parse(first.out) as { retired: string[] }).retired;
  assert.equal(earlier.length, 1);
  const second = await run('keys', 'rotate', '--json', ...admin());
  assert.equal(second.code, 0, second.err);
  const previous = (JSON.parse(second.out) as { retired: string[] }).retired;
  const dropped = await run('keys', 'rotate', '--compromised', ...admin());
  assert.equal(dropped.code, 0, dropped.err);
  for (const kid of [...previous, ...earlier]) {
    assert.ok(dropped.out.includes(`dropped: ${kid}`), `${kid} is not reported as dropped:\n${dropped.out}`);
  }
  assert.ok(!dropped.out.includes('retired: '), dropped.out);
});

test('keys rotate --purpose capability --compromised drops the previous capability keys at once', async () => {
  const first = await run('keys', 'rotate', '--purpose', 'capability', '--json', ...admin());
  assert.equal(first.code, 0, first.err);
  const earlier = (JSON.parse(first.out) as { retired: string[] }).retired;
  const dropped = await run('keys', 'rotate', '--purpose', 'capability', '--compromised', '--json', ...admin());
  assert.equal(dropped.code, 0, dropped.err);
  const r = JSON.parse(dropped.out) as { purpose: string; kid: string; dropped: string[] };
  assert.equal(r.purpose, 'capability');
  assert.deepEqual(r.dropped, [(JSON.parse(first.out) as { kid: string }).kid, ...earlier]);
  const listed = await run('keys', 'list', '--json', ...admin());
  assert.equal(listed.code, 0, listed.err);
  const capability = (JSON.parse(listed.out) as { keys: Array<{ kid: string; purpose: string }> }).keys.filter(
    (k) => k.purpose === 'capability',
  );
  assert.deepEqual(
    capability.map((k) => k.kid),
    [r.kid],
  );
});

test('keys rotate --help says --compromised takes the token or the capability key', async () => {
  const help = await run('keys', 'rotate', '--help');
  assert.match(help.out.replace(/\s+/g, ' '), /--compromised .*token or capability key/);
  assert.match(help.out, /vouch keys rotate --purpose capability --compromised/);
});
