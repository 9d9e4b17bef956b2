// `vouch token verify --consume-nonce` against a real listening server: the verify route is public and ignores a wrong
// admin key, so the CLI must prove the key before it reports a session nonce as consumed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers.ts';
import { ADMIN_KEY, startLiveServer } from '../../sdk/test/aip-server.ts';
import type { LiveServer } from '../../sdk/test/aip-server.ts';

let live: LiveServer;
const savedAdminKey = process.env.VOUCH_ADMIN_KEY;
before(async () => {
  live = await startLiveServer();
  live.clock.set(Date.now());
});
after(async () => {
  if (savedAdminKey === undefined) delete process.env.VOUCH_ADMIN_KEY;
  else process.env.VOUCH_ADMIN_KEY = savedAdminKey;
  await live?.close();
});

test('--consume-nonce with a wrong admin key: exit 2 with UNAUTHORIZED, and the nonce stays unconsumed', async () => {
  live.clock.set(Date.now());
  const agent = await live.registerAgent();
  const { token } = await live.issue(agent.did, { token_type: 'session', audience: 'shop.example', nonce: 'n-1' });
  const verify = (key: string) => {
    process.env.VOUCH_ADMIN_KEY = key;
    return run('token', 'verify', token, '--audience', 'shop.example', '--consume-nonce', '--server', live.url);
  };

  const wrong = await verify('wrong-admin-key-0123456789');
  assert.equal(wrong.code, 2, `a refused key is not a valid, consumed token\n${wrong.out}${wrong.err}`);
  assert.equal(wrong.out, '', 'nothing on stdout claims the token valid');
  assert.match(wrong.err, /^vouch: the server refused: UNAUTHORIZED: /);
  assert.equal(wrong.err.split('\n').filter(Boolean).length, 1);
  assert.ok(!wrong.err.includes('wrong-admin-key'), 'the key is not printed');

  // The right key consumes the nonce once; presenting the token again is a replay (exit 1).
  const first = await verify(ADMIN_KEY);
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /^valid session token of /);
  const again = await verify(ADMIN_KEY);
  assert.equal(again.code, 1);
  assert.match(again.out, /^invalid: NONCE_REPLAYED/);
});

test('--consume-nonce with --offline is refused (exit 2): an offline check consumes nothing', async () => {
  live.clock.set(Date.now());
  const agent = await live.registerAgent();
  const { token } = await live.issue(agent.did, { token_type: 'session', audience: 'shop.example', nonce: 'n-2' });
  process.env.VOUCH_ADMIN_KEY = ADMIN_KEY;
  const args = ['token', 'verify', token, '--audience', 'shop.example', '--consume-nonce', '--server', live.url];

  // Before, the offline check passed (exit 0, "valid") and the nonce stayed unconsumed: a replay passed too.
  const offline = await run(...args, '--offline');
  assert.equal(offline.code, 2, `an unconsumed nonce is not reported valid\n${offline.out}${offline.err}`);
  assert.equal(offline.out, '');
  assert.match(offline.err, /--consume-nonce.*--offline|--offline.*--consume-nonce/);

  // The nonce is still there for the server to consume once.
  const first = await run(...args);
  assert.equal(first.code, 0, first.err);
  const again = await run(...args);
  assert.equal(again.code, 1);
  assert.match(again.out, /^invalid: NONCE_REPLAYED/);
});
