// `vouch kek rewrap` zeroes both keys it read once it is done with them, whatever the outcome. The current KEK was
// read before the new one, outside the try/finally that zeroes them: a new KEK file that did not read (not a key,
// unreadable) left the current key's bytes in memory for the garbage collector to get to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { rewrapDeploymentKek } from '../../src/kek-rewrap.ts';
import { StorageError } from '../../src/storage/index.ts';

const NO_WARNINGS = { warn: (_: unknown, message: string) => assert.fail(`unexpected warning: ${message}`) };

test('kek rewrap: the current key is zeroed when the new KEK file does not read, as when it does', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-rewrap-zero-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const current = randomBytes(32);
  await writeFile(join(dataDir, 'kek.key'), `${current.toString('hex')}\n`, { mode: 0o600 });
  const notAKey = join(dataDir, 'not-a-key');
  await writeFile(notAKey, 'not a key\n', { mode: 0o600 });
  const next = randomBytes(32);
  const newKek = join(dataDir, 'kek.new');
  await writeFile(newKek, `${next.toString('hex')}\n`, { mode: 0o600 });

  // Which of the two keys a fill(0) found in a buffer of its own.
  const zeroed = new Set<string>();
  const fill = Buffer.prototype.fill;
  t.mock.method(Buffer.prototype, 'fill', function (this: Buffer, ...args: Parameters<Buffer['fill']>) {
    if (args[0] === 0 && this.length === 32 && this.equals(current)) zeroed.add('current');
    if (args[0] === 0 && this.length === 32 && this.equals(next)) zeroed.add('new');
    return fill.apply(this, args);
  });
  const rewrap = (file: string) => rewrapDeploymentKek(loadConfig({ VOUCH_DATA_DIR: dataDir }), file, 1, NO_WARNINGS);

  await assert.rejects(rewrap(notAKey), (e) => e instanceof StorageError && e.code === 'KEK_INVALID');
  assert.deepEqual([...zeroed], ['current'], 'the current key is zeroed though the new file did not read');
  // Both read (there is no database to re-wrap, so it stops there): both are zeroed.
  zeroed.clear();
  await assert.rejects(rewrap(newKek), (e) => e instanceof StorageError && e.code === 'DATABASE_UNAVAILABLE');
  assert.deepEqual([...zeroed].sort(), ['current', 'new']);
});
