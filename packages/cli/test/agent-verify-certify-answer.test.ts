// `vouch agent verify --file` gives its verdict from this machine's check and the server's certification together;
// the certification counts only when its answer is one (`match` a boolean). Before, `{}` (a proxy's JSON, a broken
// server) made the verdict `undefined`: exit 1, "the signature does not hold (NOT_VALID)", for a signature that
// holds, and --json printed no "valid" at all; `"match": "false"`, a truthy string, exited 0 with "valid": "false".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  canonicalize,
  encodeBase64,
  encodeUtf8,
  formatPublicKey,
  generateKeyPair,
  getDefaultCrypto,
  sha256Hex,
  signedMessageText,
} from '@vouch/sdk';
import { answerJson, recordingServer as serve, runClean, tempDir, sdkRefusedAnswer } from './helpers.ts';

/** A signature record of `content` that this machine's check accepts, and its hash. */
async function signedRecord(content: string) {
  const key = await generateKeyPair('Ed25519');
  const did = 'did:identity:bot';
  const payloadHash = await sha256Hex(content);
  const signedAt = 1_767_225_600_000;
  const text = await signedMessageText(payloadHash, signedAt);
  const signature = encodeBase64(await getDefaultCrypto().sign('EdDSA', key.privateKey, encodeUtf8(text)));
  const hash = await sha256Hex(canonicalize({ did, payloadHash, signedAt, signature }));
  const record = {
    valid: true,
    signatureHash: hash,
    signedAt,
    payloadHash,
    signature,
    agent: { did, status: 'active', publicKey: formatPublicKey(key.publicKey, 'registry') },
    owner: null,
  };
  return { hash, record };
}

test('agent verify --file gives no verdict from a certification that is not one (exit 2)', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'content.txt');
  await writeFile(file, 'hello\n');
  const { hash, record } = await signedRecord('hello\n');
  const env = { HOME: dir, VOUCH_HOME: dir };
  const server = (certify: unknown) =>
    serve(t, (res, seen) => answerJson(res, 200, seen.url.startsWith('/api/v1/signatures/certify') ? certify : record));

  for (const certify of [{}, null, { match: 'false' }, { match: 1 }]) {
    const { url } = await server(certify);
    for (const form of [[], ['--json']]) {
      const r = await runClean(env, 'agent', 'verify', hash, '--file', file, ...form, '--server', url);
      const what = `${form.join(' ')} ${JSON.stringify(certify)}`;
      assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
      assert.equal(r.out, '', what);
      // JSON that is not an object is the SDK's RESPONSE_INVALID; an object of the wrong shape is the CLI's check.
      const said =
        certify === null
          ? sdkRefusedAnswer('/api/v1/signatures/certify')
          : /^vouch: the server's answer is not a certification\.\n$/;
      assert.match(r.err, said, what);
    }
  }
  // A certification that says match: exit 0 and "valid": true; that says no match: exit 1.
  const good = await server({ match: true, certificationCount: 1 });
  const ok = await runClean(env, 'agent', 'verify', hash, '--file', file, '--json', '--server', good.url);
  assert.equal(ok.code, 0, ok.err);
  assert.equal((JSON.parse(ok.out) as { valid: unknown }).valid, true);
  const differs = await server({ match: false });
  const no = await runClean(env, 'agent', 'verify', hash, '--file', file, '--json', '--server', differs.url);
  assert.equal(no.code, 1, no.err);
  assert.equal((JSON.parse(no.out) as { valid: unknown }).valid, false);
});

// The verdict takes the server's `valid` too: a record the server calls not valid fails (exit 1) even when the
// content, the record's hash and the signature all check out here and the server certifies the match. Nothing held
// the record's `valid` in the --file verdict (`valid: check.valid` alone passed every test).
test("agent verify --file: the server's valid: false is exit 1 though the content matches", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'content.txt');
  await writeFile(file, 'hello\n');
  const { hash, record } = await signedRecord('hello\n');
  const env = { HOME: dir, VOUCH_HOME: dir };
  const { url } = await serve(t, (res, seen) =>
    answerJson(
      res,
      200,
      seen.url.startsWith('/api/v1/signatures/certify') ? { match: true } : { ...record, valid: false },
    ),
  );
  const j = await runClean(env, 'agent', 'verify', hash, '--file', file, '--json', '--server', url);
  assert.equal(j.code, 1, j.err);
  assert.equal((JSON.parse(j.out) as { valid: unknown }).valid, false);
  const text = await runClean(env, 'agent', 'verify', hash, '--file', file, '--server', url);
  assert.equal(text.code, 1, text.err);
  assert.match(text.out, /^NOT valid signature by /);
  assert.match(text.out, /^content matches \(sha256 [0-9a-f]{64}\)$/m);
});

// "content matches" is said only when this machine finds it so too: a server certifying a match for content whose
// SHA-256 is not the record's does not make it one (the text, `match` in --json, exit 1). And the hash argument is
// taken in upper case too, asked for in lower case. Neither was held by a test.
test('agent verify --file: a certified match refuted here is none; an upper-case hash is lowered', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'content.txt');
  await writeFile(file, 'forged\n');
  const { hash, record } = await signedRecord('hello\n');
  const env = { HOME: dir, VOUCH_HOME: dir };
  const server = await serve(t, (res, seen) =>
    answerJson(res, 200, seen.url.startsWith('/api/v1/signatures/certify') ? { match: true } : record),
  );
  const upper = hash.toUpperCase();
  const j = await runClean(env, 'agent', 'verify', upper, '--file', file, '--json', '--server', server.url);
  assert.equal(j.code, 1, j.err);
  const out = JSON.parse(j.out) as { valid: unknown; match: unknown; signatureHash: unknown };
  assert.deepEqual([out.valid, out.match, out.signatureHash], [false, false, hash]);
  assert.equal(server.seen[0]!.url, `/api/v1/signatures/verify?hash=${hash}`);
  const text = await runClean(env, 'agent', 'verify', hash, '--file', file, '--server', server.url);
  assert.equal(text.code, 1, text.err);
  assert.match(text.out, /^content does NOT match \(sha256 [0-9a-f]{64}\)$/m);
  assert.equal(text.err, 'vouch: the content does not match the signature.\n');
});
