// Two co-signers running `vouch registry sign` on the same proposal file at once (a shared directory): each read the
// file, signed, and renamed its version over it, so the one that wrote last dropped the other's signature — which
// had been told "signed by 1/2" — without a word. sign now writes only over the file it read: a file changed in
// the meantime is read again and the co-signature added to what it holds now.
// The interleaving is forced without sleeps: the first signer's key file is a FIFO, so it has read the proposal and
// waits on its key while the second signer runs to the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { draftRegistry, json, ok, run, tempDir } from './helpers.ts';

test('a co-signature made while another signer rewrote the file is added to it, not written over it', async (t) => {
  const base = await tempDir(t, 'vouch-sign-race-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  await ok(0, 'registry', 'propose', 'add', '--entry', join(reg, 'issuers/dyad.json'), '--dir', reg);
  const file = join(reg, 'proposals/2-add-dyad.json');
  const fifo = join(base, 'acme.fifo');
  execFileSync('mkfifo', ['-m', '600', fifo]);

  const first = run('registry', 'sign', file, '--key', fifo, '--as', 'acme', '--dir', reg);
  // Opening the FIFO for writing completes once `first` opened it to read its key: it has read the proposal.
  const pipe = await open(fifo, 'w');
  await ok(0, 'registry', 'sign', file, '--key', key('bolt'), '--as', 'bolt', '--dir', reg);
  await pipe.writeFile(await readFile(key('acme')));
  await pipe.close();
  const r = await first;
  assert.equal(r.code, 0, r.err);

  const signed = await json<{ signatures: Array<{ issuerId: string }> }>(file);
  assert.deepEqual(signed.signatures.map((s) => s.issuerId).sort(), ['acme', 'bolt']);
  assert.match(r.out, /signed by 2\/2/);
});
