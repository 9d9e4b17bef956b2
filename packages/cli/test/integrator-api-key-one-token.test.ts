// `vouch integrator create` and `rotate-key` print the new API key alone on stdout (`KEY=$(vouch integrator ...)`).
// An answer whose apiKey holds a line break or anything else a Bearer header cannot carry is no API key: it is refused
// (exit 2) as other answers not in the route's shape are. Before, such a key was printed as it came, so a server's
// newline put lines of its choosing into what a script took for the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerJson, recordingServer as serve, runClean } from './helpers.ts';

test('integrator create and rotate-key refuse an apiKey that is not one printable token', async (t) => {
  const env = { VOUCH_ADMIN_KEY: 'vouch_admin_test_key_0123456789' };
  for (const apiKey of ['vouch_int_abc\nexport PATH=/tmp', 'vouch int abc', 'vouch_int_\u00e9']) {
    const server = await serve(t, (res, req) =>
      answerJson(res, req.url.endsWith('/rotate-key') ? 200 : 201, { slug: 'shop', apiKey, environmentVersion: 1 }),
    );
    for (const [args, why] of [
      [
        ['integrator', 'create', 'shop', '--name', 'Shop', '--domain', 'shop.example'],
        /answer is not a new integrator/,
      ],
      [['integrator', 'rotate-key', 'shop'], /answer is not an integrator key/],
    ] as const) {
      const r = await runClean(env, ...args, '--server', server.url);
      assert.equal(r.code, 2, `${JSON.stringify(apiKey)} ${args[1]}: ${r.out}`);
      assert.equal(r.out, '');
      assert.match(r.err, why);
    }
  }
  // A key of printable ASCII still prints.
  const good = await serve(t, (res) =>
    answerJson(res, 201, { slug: 'shop', apiKey: 'vouch_int_Ab-9', environmentVersion: 1 }),
  );
  const r = await runClean(
    env,
    'integrator',
    'create',
    'shop',
    '--name',
    'Shop',
    '--domain',
    'x.example',
    '--server',
    good.url,
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'vouch_int_Ab-9\n');
});
