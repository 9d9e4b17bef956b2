// `vouch registry verify-credential --resource R --action A` with an R that is no resource pattern (a typo:
// `payments/invoices`, an empty one) or an A that is no action answered exit 1, SCOPE_VIOLATION: "the credential's
// scope does not allow this resource and action", a verification failure, for what is a wrong command line (exit 2,
// as `registry credential` refuses a malformed --scope). Such values are now refused before anything is verified.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { draftRegistry, ISSUERS, ok, run } from './helpers.ts';

test('verify-credential refuses a --resource or --action that is no pattern as a usage error (exit 2)', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'vouch-verify-cred-usage-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '3', '--dir', reg, ...ISSUERS);
  const rootPub = (JSON.parse(await readFile(key('root'), 'utf8')) as { publicKey: string }).publicKey;
  const { out } = await ok(
    0,
    'registry',
    'credential',
    ...['--key', key('acme'), '--as', 'acme', '--agent', 'agent:bot', '--dir', reg],
  );
  const credential = out.trim();
  const verify = (...extra: string[]) =>
    run('registry', 'verify-credential', credential, '--root-key', rootPub, '--dir', reg, ...extra);

  // A credential without a scope allows any resource and action: exit 0 for well-formed ones.
  assert.equal((await verify('--resource', 'payments:invoices', '--action', 'read')).code, 0);
  for (const [resource, action] of [
    ['payments/invoices', 'read'],
    ['', 'read'],
    ['payments:*:invoices', 'read'],
    ['payments:invoices', 'read write'],
    ['payments:invoices', ''],
  ] as const) {
    for (const format of ['text', 'json']) {
      const r = await verify('--resource', resource, '--action', action, '--format', format);
      assert.equal(r.code, 2, `${resource} ${action}: ${r.out}${r.err}`);
      assert.equal(r.out, '', 'no verdict is printed');
      assert.match(
        r.err,
        resource.includes('/') || resource === '' || resource.includes('*:') ? /--resource/ : /--action/,
      );
    }
  }
});
