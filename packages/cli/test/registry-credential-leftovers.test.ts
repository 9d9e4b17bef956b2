// `vouch registry credential --output FILE` writes the credential (a bearer secret unless it binds an agent key) to a
// temporary file beside FILE, 0600, and renames it into place. A run killed in between left the credential in that
// file for good, under a name (`<file>.<12 random hex>.tmp`) that no later run recognised. The temporary name now
// holds the process id, as `vouch keygen`'s and `registry keygen`'s do, and the next run of the same output removes
// what a killed run left, with a warning (not a running process's file, which is named and left).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { killAtMarker } from '../../server/test/helpers/kill-at-marker.ts';
import { ok, run, tempDir } from './helpers.ts';

const MAIN = new URL('../src/main.ts', import.meta.url).pathname;

/** The arguments of `vouch registry credential` as acme for agent:bot, to `output`. */
function credentialArgs(dir: string, output: string): string[] {
  const key = join(dir, 'acme.key.json');
  const flags = ['--key', key, '--as', 'acme', '--agent', 'agent:bot', '--dir', join(dir, 'none')];
  return ['registry', 'credential', ...flags, '--output', output];
}

test('registry credential --output removes what a run killed mid-write left, with a warning', async (t) => {
  const dir = await tempDir(t, 'vouch-credential-leftovers-');
  await ok(0, 'registry', 'keygen', '--output', join(dir, 'acme.key.json'));
  const output = join(dir, 'bot.cred');
  // The child stops for good at rename(), the credential written to its temporary file, and is killed there.
  const script = `
    import { writeSync } from 'node:fs';
    import { createRequire, syncBuiltinESMExports } from 'node:module';
    const fsp = createRequire(import.meta.url)('node:fs/promises');
    fsp.rename = async () => {
      writeSync(1, 'renaming\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    };
    syncBuiltinESMExports();
    const { main } = await import(${JSON.stringify(MAIN)});
    const quiet = { out: () => undefined, err: () => undefined };
    await main(['node', 'vouch', ...${JSON.stringify(credentialArgs(dir, output))}], quiet);
    writeSync(1, 'done\\n');`;
  await killAtMarker(script, 'renaming');
  const left = (await readdir(dir)).filter((n) => n.startsWith('bot.cred.'));
  assert.equal(left.length, 1, left.join());
  assert.equal((await readFile(join(dir, left[0]!), 'utf8')).split('.').length, 3, 'the credential, left behind');

  // A running process's file (the test runner's id) is named and left.
  const running = `bot.cred.${process.ppid.toString(16).padStart(8, '0')}0123456789ab.tmp`;
  await writeFile(join(dir, running), 'x\n', { mode: 0o600 });
  const r = await run(...credentialArgs(dir, output));
  assert.equal(r.code, 0, r.err);
  assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('bot.cred')).sort(), ['bot.cred', running].sort());
  const lines = r.err.trimEnd().split('\n');
  assert.ok(
    lines.includes(
      `vouch: warning: ${join(dir, left[0]!)}, the temporary file of a creation of ${output} interrupted by a crash, ` +
        'was removed.',
    ),
    r.err,
  );
  assert.ok(
    lines.some((l) => l.startsWith(`vouch: warning: ${join(dir, running)} is the temporary file`)),
    r.err,
  );
  assert.equal(lines.length, 2, r.err);
});
