// `vouch agent consent` says "consent for SLUG: STATUS" only when the server's answer is the consent asked for: the
// status of the action (allowed for allow, revoked for revoke) and a signedAt. Before, the answer was printed as it
// came: a proxy's or broken server's JSON printed with --json and exited 0 as if the consent were recorded, and
// without --json failed with JavaScript's "Invalid time value".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  answerJson,
  recordingServer as serve,
  runClean,
  tempDir,
  writeStoredIdentity,
  sdkRefusedAnswer,
} from './helpers.ts';

const SIGNATURE = { signatureHash: 'a'.repeat(64) };
const SIGNED_AT = 1_767_225_600_000;

/** A server that records the consent's signature, then answers the consent itself with `consent`. */
async function consentServer(t: Parameters<typeof serve>[0], consent: unknown) {
  return serve(t, (res, seen) =>
    seen.url === '/api/v1/signatures/sign' ? answerJson(res, 201, SIGNATURE) : answerJson(res, 200, consent),
  );
}

test('agent consent refuses an answer that is not the consent asked for (exit 2)', async (t) => {
  const dir = await tempDir(t);
  const consent = (status: unknown, signedAt: unknown = SIGNED_AT) => ({
    did: 'did:identity:bot',
    integratorSlug: 'shop',
    status,
    signedAt,
  });
  const cases: ReadonlyArray<readonly [string, unknown]> = [
    ['allow', {}],
    ['allow', null],
    ['allow', SIGNATURE],
    ['allow', consent('revoked')],
    ['revoke', consent('allowed')],
    ['allow', consent('allowed', 'yesterday')],
    ['allow', consent('allowed', 1e300)],
    ['allow', consent('allowed', 1e17)],
    // A whole number of milliseconds, but one past what a Date holds (8.64e15): no time either.
    ['allow', consent('allowed', 8.64e15 + 1)],
    ['revoke', consent('revoked', -8.64e15 - 1)],
  ];
  for (const [action, body] of cases) {
    const server = await consentServer(t, body);
    const vouchHome = join(await tempDir(t), 'home');
    await writeStoredIdentity(vouchHome, server.url);
    for (const form of [[], ['--json']]) {
      const r = await runClean(
        { VOUCH_HOME: vouchHome, HOME: dir },
        'agent',
        'consent',
        'shop',
        action,
        '--alias',
        'bot',
        ...form,
      );
      const what = `${action} ${form.join(' ')} ${JSON.stringify(body)}`;
      assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
      assert.equal(r.out, '', what);
      // JSON that is not an object is the SDK's RESPONSE_INVALID; an object of the wrong shape is the CLI's check.
      const said =
        body === null
          ? sdkRefusedAnswer('/api/v1/integrators/consent')
          : /^vouch: the server's answer is not the consent asked for\.\n$/;
      assert.match(r.err, said, what);
    }
  }
  for (const [action, status] of [
    ['allow', 'allowed'],
    ['revoke', 'revoked'],
  ] as const) {
    const server = await consentServer(t, consent(status));
    const vouchHome = join(await tempDir(t), 'home');
    await writeStoredIdentity(vouchHome, server.url);
    const r = await runClean(
      { VOUCH_HOME: vouchHome, HOME: dir },
      'agent',
      'consent',
      'shop',
      action,
      '--alias',
      'bot',
    );
    assert.deepEqual([r.code, r.out], [0, `consent for shop: ${status} (signed at 2026-01-01T00:00:00.000Z)\n`], r.err);
  }
});
