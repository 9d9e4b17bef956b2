// Review: `vouch registry verify` could not bound a document's lifetime, while the SDK's verifyRegistry takes
// maxLifetimeSeconds and a consumer server VOUCH_TRUST_REGISTRY_MAX_LIFETIME: an operator checking a document by hand
// could not refuse an old one signed for years. `--max-lifetime` takes what that setting takes (whole seconds, 120 or
// more, or 0/off), parsed by the server's own parser; a document valid for longer fails rule 1 with
// REGISTRY_LIFETIME_EXCEEDED (exit 1), and a bad value is exit 2 before anything is verified. Real files, real keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { draftRegistry, json, ok, run, runBin, tempDir } from './helpers.ts';

const WEEK = 7 * 86_400;

test('registry verify --max-lifetime refuses a document valid for longer, and bad values with exit 2', async (t) => {
  const base = await tempDir(t, 'vouch-max-lifetime-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const doc = await json<{ updatedAt: string; expiresAt: string }>(join(reg, 'registry.json'));
  assert.equal((Date.parse(doc.expiresAt) - Date.parse(doc.updatedAt)) / 1000, WEEK, 'signed for the default 7d');
  // As of its signing: the lifetime counted is exactly its validity, whatever the time the test runs.
  const verify = (...extra: string[]) =>
    run('registry', 'verify', '--root-key', key('root'), '--dir', reg, '--at', doc.updatedAt, ...extra);

  for (const value of [String(WEEK), String(WEEK + 1), '0', 'off', 'OFF']) {
    const r = await verify('--max-lifetime', value);
    assert.equal(r.code, 0, `--max-lifetime ${value}\n${r.out}${r.err}`);
  }

  const short = await verify('--max-lifetime', String(WEEK - 1), '--format', 'json');
  assert.equal(short.code, 1, short.out + short.err);
  const report = JSON.parse(short.out) as { valid: boolean; failures: Array<{ rule: number; code: string }> };
  assert.equal(report.valid, false);
  assert.deepEqual(
    report.failures.map((f) => [f.rule, f.code]),
    [[1, 'REGISTRY_LIFETIME_EXCEEDED']],
  );
  const text = await verify('--max-lifetime', '120');
  assert.equal(text.code, 1);
  assert.match(text.out, /REGISTRY_LIFETIME_EXCEEDED/);

  // What VOUCH_TRUST_REGISTRY_MAX_LIFETIME refuses, refused here as a usage error naming the option.
  for (const bad of ['7d', '119', '-5', '1.5', 'never', String(3660 * 86_400 + 1)]) {
    const r = await verify('--max-lifetime', bad);
    assert.equal(r.code, 2, `--max-lifetime ${bad}\n${r.out}${r.err}`);
    assert.match(r.err, /--max-lifetime must be/, bad);
    assert.equal(r.out, '', 'nothing verified, nothing printed');
  }
  const empty = await verify('--max-lifetime', '');
  assert.equal(empty.code, 2, empty.out + empty.err);
  assert.match(empty.err, /--max-lifetime/);

  // The real binary, once.
  const bin = await runBin(
    ['registry', 'verify', '--root-key', key('root'), '--dir', reg, '--at', doc.updatedAt, '--max-lifetime', '600'],
    {},
    base,
  );
  assert.equal(bin.code, 1, bin.out + bin.err);
  assert.match(bin.out, /REGISTRY_LIFETIME_EXCEEDED/);
  const badBin = await runBin(['registry', 'verify', '--dir', reg, '--max-lifetime', '1w'], {}, base);
  assert.equal(badBin.code, 2, badBin.out + badBin.err);
  assert.match(badBin.err, /--max-lifetime must be a whole number/);
});
