// `vouch registry submit` and `vouch registry cosign` against a real listening authority server, with the real clock:
// a co-signature's signedAt is held to the server's signature window, so one the CLI dated with anything but its
// clock at signing would be refused. Until now these two commands had only been run against recorded answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN_KEY, startLiveServer } from '../../sdk/test/aip-server.ts';
import { draftRegistry, ok, runBin, tempDir } from './helpers.ts';

test('a proposal submitted with one signature and co-signed by the binary is applied at quorum', async (t) => {
  const base = await tempDir(t, 'vouch-cosign-live-');
  const { reg, key } = await draftRegistry(base);
  // The authority's root key is the one `registry init` signs genesis with.
  const live = await startLiveServer({ VOUCH_REGISTRY_ROOT_KEY_FILE: key('root') });
  t.after(() => live.close());
  // The CLI signs with the real clock, so the server runs on it too.
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const env = { VOUCH_ADMIN_KEY: ADMIN_KEY, VOUCH_SERVER: live.url };
  live.clock.set(Date.now());
  const published = await runBin(['registry', 'publish', reg], env, base);
  assert.equal(published.code, 0, published.err);

  await ok(0, 'registry', 'propose', 'add', '--entry', join(reg, 'issuers/dyad.json'), '--dir', reg);
  const proposal = join(reg, 'proposals/2-add-dyad.json');
  await ok(0, 'registry', 'sign', proposal, '--key', key('acme'), '--as', 'acme', '--dir', reg);
  live.clock.set(Date.now());
  const submitted = await runBin(['registry', 'submit', proposal, '--json'], env, base);
  assert.equal(submitted.code, 0, submitted.err);
  const held = JSON.parse(submitted.out) as { id: string; status: string };
  assert.equal(held.status, 'pending');

  live.clock.set(Date.now());
  const cosigned = await runBin(
    ['registry', 'cosign', held.id, '--key', key('bolt'), '--as', 'bolt', '--json'],
    env,
    base,
  );
  assert.equal(cosigned.code, 0, cosigned.err);
  assert.equal((JSON.parse(cosigned.out) as { status: string }).status, 'applied');
  const summary = await live.call('GET', '/v1/registry');
  assert.ok(JSON.stringify(summary.body).includes('dyad'), JSON.stringify(summary.body));
});
