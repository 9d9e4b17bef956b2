// `vouch keys list` says of a retired key until when it stays published (drops_at), that it is no longer published,
// or nothing (a retired tool-manifest key stays for good); and it refuses a key whose published or times are not of
// their types, which would print as "until 5" or "[object Object]". No test held the retired forms or these checks:
// each could change or go with every test still passing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerJson, recordingServer, runClean } from './helpers.ts';

const env = { VOUCH_ADMIN_KEY: 'vouch_admin_KEYS_LIST_TEST_0123456789' };
const key = (over: Record<string, unknown>) => ({
  kid: 'k1',
  purpose: 'tokens',
  alg: 'ES256',
  generation: 1,
  status: 'retired',
  published: true,
  created_at: '2026-01-01T00:00:00.000Z',
  retired_at: '2026-01-02T00:00:00.000Z',
  drops_at: '2026-01-03T00:00:00.000Z',
  ...over,
});

test('keys list: a retired key is shown with until, (unpublished) or nothing', async (t) => {
  const keys = [
    key({}),
    key({ kid: 'k2', generation: 2, published: false }),
    key({ kid: 'm1', purpose: 'tool-manifest', alg: 'EdDSA', drops_at: null }),
  ];
  const server = await recordingServer(t, (res) => answerJson(res, 200, { keys }));
  const r = await runClean(env, 'keys', 'list', '--server', server.url);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    'tokens #1 ES256 retired until 2026-01-03T00:00:00.000Z  k1\n' +
      'tokens #2 ES256 retired (unpublished)  k2\n' +
      'tool-manifest #1 EdDSA retired  m1\n',
  );
});

test('keys list and rotate refuse keys whose members are not of their types', async (t) => {
  for (const [args, body] of [
    [['keys', 'list'], { keys: [key({ published: 'yes' })] }],
    [['keys', 'list'], { keys: [key({ drops_at: 5 })] }],
    [['keys', 'list'], { keys: [key({ retired_at: {} })] }],
    [['keys', 'list'], { keys: [key({ created_at: 1 })] }],
    [['keys', 'list'], { keys: [key({ status: null })] }],
    [['keys', 'rotate'], { kid: 'k2', generation: 2, retired: [1] }],
    [['keys', 'rotate'], { kid: 'k2', generation: 2, retired: [], dropped: [null] }],
  ] as const) {
    const server = await recordingServer(t, (res) => answerJson(res, args[1] === 'list' ? 200 : 201, body));
    const r = await runClean(env, ...args, '--server', server.url);
    assert.equal(r.code, 2, `${JSON.stringify(body)}: ${r.out}${r.err}`);
    assert.equal(r.out, '');
    assert.match(r.err, /^vouch: the server's 20[01] answer is not a key (list|rotation)/, JSON.stringify(body));
  }
});
