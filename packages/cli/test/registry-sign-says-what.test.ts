// `vouch registry sign FILE` printed only the file name and the quorum: a file named 2-add-dyad.json that holds a
// threshold change (or the removal of another issuer) was signed with nothing on screen but the name, which is not
// signed and says nothing reliable. sign now says what it signed, from the signed content: the action and subject
// (for add/update the entry's key and endpoint), the sequence it applies as and its deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { draftRegistry, json, ok, tempDir } from './helpers.ts';

test('sign prints what the signed proposal does, whatever its file is called', async (t) => {
  const base = await tempDir(t, 'vouch-sign-says-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const misnamed = join(reg, 'proposals/2-add-dyad.json');
  await ok(0, 'registry', 'propose', 'threshold', '--required', '2', '--dir', reg, '--output', misnamed);
  const { expiresAt } = await json<{ expiresAt: string }>(misnamed);
  const r = await ok(0, 'registry', 'sign', misnamed, '--key', key('acme'), '--as', 'acme', '--dir', reg);
  assert.match(r.out, /\(threshold → 2, as sequence 2, expires /, r.out);
  assert.ok(r.out.includes(expiresAt), r.out);

  const addFile = join(reg, 'proposals/add.json');
  await ok(0, 'registry', 'propose', 'add', '--entry', join(reg, 'issuers/dyad.json'), '--dir', reg, '-o', addFile);
  const dyad = await json<{ publicKey: string; endpoint: string }>(join(reg, 'issuers/dyad.json'));
  const add = await ok(0, 'registry', 'sign', addFile, '--key', key('bolt'), '--as', 'bolt', '--dir', reg);
  assert.ok(add.out.includes(`add dyad ${dyad.publicKey} ${dyad.endpoint}`), add.out);
});
