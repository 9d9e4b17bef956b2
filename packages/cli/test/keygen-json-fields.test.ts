// `vouch keygen --json` prints {type, kid, publicKey, publicKeyBase64?, publicJwk, file} (docs/PROTOCOL.md): the
// identity.app form of an Ed25519 key is there, as in the file; a P-256 key has none. No test held publicKeyBase64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { json, run, tempDir } from './helpers.ts';

test('keygen --json prints the documented members, publicKeyBase64 for Ed25519 only', async (t) => {
  const dir = await tempDir(t);
  for (const type of ['ed25519', 'p256']) {
    const file = join(dir, `${type}.json`);
    const r = await run('keygen', '--type', type, '--output', file, '--json');
    assert.equal(r.code, 0, r.err);
    const shown = JSON.parse(r.out) as Record<string, unknown>;
    const stored = await json(file);
    const members = ['type', 'kid', 'publicKey', 'publicJwk', 'file'];
    if (type === 'ed25519') members.splice(3, 0, 'publicKeyBase64');
    assert.deepEqual(Object.keys(shown), members, type);
    assert.equal(shown.file, file);
    for (const m of members.filter((k) => k !== 'file')) assert.deepEqual(shown[m], stored[m], `${type} ${m}`);
    assert.equal(stored.publicKeyBase64 !== undefined, type === 'ed25519', type);
  }
});
