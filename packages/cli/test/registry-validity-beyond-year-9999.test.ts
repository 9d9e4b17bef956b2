// `--validity` takes up to 9999999d, but a registry signed to expire after year 9999 carries an `expiresAt` that
// toISOString spells "+029…", which the strict parser (and so every reader: verify, build, list, a consumer) refuses.
// `init --validity 9999999d` wrote such a registry.json and exited 0: the registry could then neither be read nor
// re-created (init refuses an existing registry.json). signRegistryDocument now refuses an expiry it could not
// write readably (INVALID_ARGUMENT), so init and build exit 2 and write nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { draftRegistry, ok, run, tempDir } from './helpers.ts';

test('a validity reaching past year 9999 is refused by init and build, and nothing is written', async (t) => {
  const base = await tempDir(t, 'vouch-validity-9999-');
  const { reg, key } = await draftRegistry(base);
  const founders = ['acme', 'bolt', 'coda'];
  const refused = await run(
    'registry',
    'init',
    '--root-key',
    key('root'),
    '--threshold',
    '2',
    '--dir',
    reg,
    '--validity',
    '9999999d',
    ...founders,
  );
  assert.equal(refused.code, 2, refused.out + refused.err);
  await assert.rejects(readFile(join(reg, 'registry.json')), { code: 'ENOENT' });

  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, ...founders);
  const before = await readFile(join(reg, 'registry.json'), 'utf8');
  const build = await run('registry', 'build', '--root-key', key('root'), '--dir', reg, '--validity', '9999999d');
  assert.equal(build.code, 2, build.out + build.err);
  assert.equal(await readFile(join(reg, 'registry.json'), 'utf8'), before, 'registry.json unchanged');
  await ok(0, 'registry', 'verify', '--root-key', key('root'), '--dir', reg);
  // A long validity that still fits is accepted and reads back (exit 1 only for the drafts of dyad and echo).
  await ok(1, 'registry', 'build', '--root-key', key('root'), '--dir', reg, '--validity', '9999999h');
  await ok(0, 'registry', 'verify', '--root-key', key('root'), '--dir', reg);
});
