// A credential file that is not UTF-8 was decoded with replacement characters and verified: the result was exit 1,
// "CREDENTIAL_INVALID", a verification that failed, for what is an input file that is wrong (exit 2), as every key and
// registry file the registry commands read says of itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { draftRegistry, ok, run, tempDir } from './helpers.ts';

test('verify-credential refuses a credential file that is not UTF-8 with exit 2', async (t) => {
  const dir = await tempDir(t, 'vouch-cred-utf8-');
  const { reg, key } = await draftRegistry(dir);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const issued = await ok(
    0,
    'registry',
    'credential',
    '--key',
    key('acme'),
    '--as',
    'acme',
    '--agent',
    'a',
    '--dir',
    reg,
  );
  const file = join(dir, 'cred.jwt');
  await writeFile(file, Buffer.concat([Buffer.from(issued.out.trim()), Buffer.from([0xff, 0x0a])]));
  const r = await run('registry', 'verify-credential', file, '--root-key', key('root'), '--dir', reg);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.out, '');
  assert.match(r.err, /^vouch: .*cred\.jwt: not a UTF-8 text file\.\n$/);
});
