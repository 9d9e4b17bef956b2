// Two co-signers running `vouch registry sign` on the same proposal file at once (a shared directory): each read the
// file, signed, and renamed its version over it, so the one that wrote last dropped the other's signature — which
// had been told "signed by 1/2" — without a word. sign now writes only over the file it read: a file changed in
// the meantime is read again and the co-signature added to what it holds now.
// The interleaving is forced without sleeps: the first signer's key file is a FIFO, so it has read the proposal and
// waits on its key while the second signer runs to the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { open, readFile, writeFile } from 'node:fs/promises';
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

// What sign finds when the file changed while it signed, besides a co-signature to keep: another proposal in its
// place, or one its own issuer has meanwhile signed. Either way it writes nothing (exit 2) and the file stays as the
// other writer left it. Forced as above: the signer's key file is a FIFO, written once the file has changed.
test('sign writes nothing over another proposal, or its own signature, made meanwhile', async (t) => {
  const base = await tempDir(t, 'vouch-sign-race-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  await ok(0, 'registry', 'propose', 'add', '--entry', join(reg, 'issuers/dyad.json'), '--dir', reg);
  const file = join(reg, 'proposals/2-add-dyad.json');
  const other = join(base, 'threshold.json');
  await ok(0, 'registry', 'propose', 'threshold', '--required', '2', '--dir', reg, '--output', other);
  const original = await readFile(file, 'utf8');

  const cases: Array<[string, () => Promise<void>, RegExp]> = [
    ['another proposal', async () => writeFile(file, await readFile(other)), /was replaced by another proposal/],
    [
      'its own signature',
      async () => {
        await writeFile(file, original);
        await ok(0, 'registry', 'sign', file, '--key', key('acme'), '--as', 'acme', '--dir', reg);
      },
      /acme has already signed it \(meanwhile\)/,
    ],
  ];
  for (const [what, change, message] of cases) {
    await writeFile(file, original);
    const fifo = join(base, `acme-${cases.findIndex(([w]) => w === what)}.fifo`);
    execFileSync('mkfifo', ['-m', '600', fifo]);
    const signing = run('registry', 'sign', file, '--key', fifo, '--as', 'acme', '--dir', reg);
    const pipe = await open(fifo, 'w');
    await change();
    const meanwhile = await readFile(file, 'utf8');
    await pipe.writeFile(await readFile(key('acme')));
    await pipe.close();
    const r = await signing;
    assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
    assert.match(r.err, message, what);
    assert.equal(await readFile(file, 'utf8'), meanwhile, `${what}: nothing was written`);
  }
});
