// A `vouch keygen` killed after writing the key to its temporary file `<output>.<hex>.tmp` and before removing that
// name left the private key there for good, unmentioned. The next keygen to the same output removes such a file
// when its process no longer runs, and says so on stderr; another file's, or a running process's, it leaves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './helpers.ts';

test('vouch keygen removes what a crashed keygen of the same output left, with a warning', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-keygen-leftovers-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const output = join(dir, 'agent.key.json');
  // 7ffffffe: no process has this id; this process's parent (the test runner) runs. keygen runs in this process.
  const crashed = `agent.key.json.7ffffffe0123456789ab.tmp`;
  const running = `agent.key.json.${process.ppid.toString(16).padStart(8, '0')}0123456789ab.tmp`;
  const other = `other.key.json.7ffffffe0123456789ab.tmp`;
  for (const name of [crashed, running, other]) await writeFile(join(dir, name), '{}\n', { mode: 0o600 });
  const r = await run('keygen', '--output', output);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual((await readdir(dir)).sort(), ['agent.key.json', other, running].sort());
  const lines = r.err.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.err);
  assert.ok(
    lines.includes(
      `vouch: warning: ${join(dir, crashed)}, the temporary file of a creation of ${output} interrupted by a crash, ` +
        'was removed.',
    ),
    r.err,
  );
  assert.ok(
    lines.some(
      (l) =>
        l.startsWith(`vouch: warning: ${join(dir, running)} is the temporary file`) &&
        l.includes(`by process ${process.ppid}, which may still be running`),
    ),
    r.err,
  );
});
