import assert from 'node:assert/strict';
import { decodeBase64, encodeBase64, encodeBase64url, sha256HexSync } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { countQueries, selectsFrom } from '../helpers/query-count.ts';
import { countSignatures, findSignature } from '../../src/modules/signatures/service.ts';
import {
  admin,
  codeOf,
  expectedSignatureHash,
  newPair,
  postSign,
  recordSigned,
  registerPow,
  registerSlug,
  SIG_ENV,
  signBody,
  signNotedBody,
  signText,
  WINDOW_MS,
} from './helpers.ts';

eachEngine('sign: a real Ed25519 signature is recorded under the hash the issue defines', async ({ open }) => {
  const q = countQueries(await open(), (node) => selectsFrom(node, 'signatures'));
  const { app, ctx, clock } = await makeApp(q.storage, { env: SIG_ENV });
  try {
    const agent = await registerPow(app, { label: 'writer' });
    clock.advance(1000);
    const signedAt = clock.now() - 1234;
    const body = await signNotedBody(agent.pair, agent.did, 'hello, world', signedAt, 'greeting');
    const before = q.counted();
    const res = await postSign(app, body);
    assert.equal(res.statusCode, 201, res.body);
    // One primary-key lookup, then the insert answers a new signature (no read back); a repeat is that lookup alone.
    assert.equal(q.counted() - before, 1);
    const again = await postSign(app, body);
    assert.equal(again.statusCode, 201, again.body);
    assert.deepEqual(again.json(), res.json());
    assert.equal(q.counted() - before, 2);
    const { signatureHash } = res.json() as { signatureHash: string };
    assert.equal(signatureHash, expectedSignatureHash(body));
    assert.match(signatureHash, /^[0-9a-f]{64}$/);

    const stored = await findSignature(ctx, signatureHash);
    assert.deepEqual(stored, {
      signatureHash,
      agentId: agent.id,
      did: agent.did,
      payloadHash: sha256HexSync('hello, world'),
      signature: body.signature,
      signedAt,
      publicNote: 'greeting',
      unverifiedNote: null,
      signerPublicKey: agent.pair.publicKeyBase64,
      createdAt: clock.now(),
      certificationCount: 0,
    });
    assert.equal(await countSignatures(ctx, agent.id), 1);
    assert.equal(await findSignature(ctx, 'f'.repeat(64)), undefined);
    assert.equal(await findSignature(ctx, 'not-a-hash'), undefined);
  } finally {
    await app.close();
  }
});

eachEngine('sign: the same submission twice is one record (201 both times); another note is 409', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const agent = await registerPow(app);
    const signedAt = clock.now();
    // identity.app's form: the signature does not cover the note (recorded as unverified; see note-binding.test.ts).
    const firstBody = await signBody(agent.pair, agent.did, 'report.pdf bytes', signedAt, 'Q3 report');
    const firstRes = await postSign(app, firstBody);
    assert.equal(firstRes.statusCode, 201, firstRes.body);
    const first = { body: firstBody, signatureHash: (firstRes.json() as { signatureHash: string }).signatureHash };
    const before = await tableCounts(storage);
    clock.advance(5000);

    const again = await postSign(app, first.body);
    assert.equal(again.statusCode, 201, again.body);
    assert.equal((again.json() as { signatureHash: string }).signatureHash, first.signatureHash);
    // The same signature bytes as base64url: re-encoded to canonical base64, so the same hash.
    const urlForm = encodeBase64url(decodeBase64(first.body.signature));
    const viaUrl = await postSign(app, { ...first.body, signature: urlForm });
    assert.equal(viaUrl.statusCode, 201, viaUrl.body);
    assert.equal((viaUrl.json() as { signatureHash: string }).signatureHash, first.signatureHash);
    assert.deepEqual(await tableCounts(storage), before);
    assert.equal((await findSignature(ctx, first.signatureHash))!.createdAt, signedAt, 'the first record stands');

    for (const publicNote of ['another note', undefined]) {
      const conflict = await postSign(app, { ...first.body, publicNote });
      assert.equal(conflict.statusCode, 409, conflict.body);
      assert.equal(codeOf(conflict), 'SIGNATURE_CONFLICT');
    }
    assert.deepEqual(await tableCounts(storage), before);
    assert.equal((await findSignature(ctx, first.signatureHash))!.unverifiedNote, 'Q3 report');

    // Without a note, twice: the same; an empty note is no note.
    const plain = await recordSigned(app, agent, 'other content', clock.now());
    const empty = await postSign(app, { ...plain.body, publicNote: '' });
    assert.equal(empty.statusCode, 201, empty.body);
    assert.equal((empty.json() as { signatureHash: string }).signatureHash, plain.signatureHash);
    assert.equal(await countSignatures(ctx, agent.id), 2);
  } finally {
    await app.close();
  }
});

eachEngine('sign: signedAt must be within VOUCH_SIGNATURE_WINDOW of server time, edges included', async ({ open }) => {
  const storage = await open();
  const { app, clock, kek } = await makeApp(storage, { env: SIG_ENV });
  try {
    const agent = await registerPow(app);
    clock.advance(3_600_000);
    const now = clock.now();
    const before = await tableCounts(storage);
    for (const signedAt of [now - WINDOW_MS - 1, now + WINDOW_MS + 1, 0]) {
      const res = await postSign(app, await signBody(agent.pair, agent.did, `late ${signedAt}`, signedAt));
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(codeOf(res), 'SIGNED_AT_OUT_OF_WINDOW');
    }
    assert.deepEqual(await tableCounts(storage), before, 'nothing written on refusal');
    for (const signedAt of [now - WINDOW_MS, now + WINDOW_MS]) {
      await recordSigned(app, agent, `edge ${signedAt}`, signedAt);
    }

    // A shorter window is honoured.
    const short = await makeApp(storage, { env: { ...SIG_ENV, VOUCH_SIGNATURE_WINDOW: '10' }, clock, kek });
    try {
      const late = await postSign(short.app, await signBody(agent.pair, agent.did, 'x', now - 10_001));
      assert.equal(codeOf(late), 'SIGNED_AT_OUT_OF_WINDOW');
      assert.equal(
        (await postSign(short.app, await signBody(agent.pair, agent.did, 'x', now - 10_000))).statusCode,
        201,
      );
    } finally {
      await short.app.close();
    }
  } finally {
    await app.close();
  }
});

eachEngine('sign: refusals write nothing (tampered, wrong key, malformed, revoked, unknown)', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const agent = await registerPow(app);
    const other = await registerPow(app);
    const signedAt = clock.now();
    const good = await signBody(agent.pair, agent.did, 'the content', signedAt);
    const before = await tableCounts(storage);
    const expect = async (body: unknown, status: number, code: string): Promise<string> => {
      const res = await postSign(app, body);
      assert.equal(res.statusCode, status, `${code}: ${res.body}`);
      assert.equal(codeOf(res), code);
      assert.deepEqual(await tableCounts(storage), before, `${code}: nothing written`);
      return (res.json() as { error: string }).error;
    };

    // Tampered payloadHash, signedAt or signature; another agent's key; the key of nobody registered.
    await expect({ ...good, payloadHash: sha256HexSync('other content') }, 400, 'SIGNATURE_INVALID');
    await expect({ ...good, signedAt: signedAt + 1 }, 400, 'SIGNATURE_INVALID');
    const flipped = decodeBase64(good.signature);
    flipped[10]! ^= 0x01;
    await expect({ ...good, signature: encodeBase64(flipped) }, 400, 'SIGNATURE_INVALID');
    await expect(await signBody(other.pair, agent.did, 'the content', signedAt), 400, 'SIGNATURE_INVALID');
    await expect(await signBody(await newPair(), agent.did, 'the content', signedAt), 400, 'SIGNATURE_INVALID');
    // Malformed signatures: not base64, whitespace, 63 bytes, 65 bytes. Each is told what a signature must be, not
    // that it does not verify.
    const malformed = [
      'not base64!',
      ` ${good.signature}`,
      encodeBase64(decodeBase64(good.signature).slice(0, 63)),
      encodeBase64(new Uint8Array([...decodeBase64(good.signature), 0])),
    ];
    for (const signature of malformed) {
      const error = await expect({ ...good, signature }, 400, 'SIGNATURE_INVALID');
      assert.match(error, /base64 of a 64-byte Ed25519 signature/, signature);
    }
    // Validation: upper-case or short payload hash, a long note, a control character, unknown fields, a string time.
    await expect({ ...good, payloadHash: good.payloadHash.toUpperCase() }, 400, 'VALIDATION_FAILED');
    await expect({ ...good, payloadHash: good.payloadHash.slice(1) }, 400, 'VALIDATION_FAILED');
    await expect({ ...good, publicNote: 'n'.repeat(161) }, 400, 'VALIDATION_FAILED');
    await expect({ ...good, publicNote: 'bell\u0007' }, 400, 'VALIDATION_FAILED');
    await expect({ ...good, extra: 1 }, 400, 'VALIDATION_FAILED');
    await expect({ ...good, signedAt: String(signedAt) }, 400, 'VALIDATION_FAILED');
    await expect({ ...good, did: 'did:identity:aaaaaaaaaaaaaaaaaaaaaaaaaa' }, 404, 'NOT_FOUND');

    // A note of exactly 160 characters is fine.
    const note = 'é'.repeat(160);
    assert.equal((await postSign(app, { ...good, publicNote: note })).statusCode, 201);

    // An agent registered without a key (Treeship, no public_key_pem) cannot sign.
    const keyless = await registerSlug(app, 'keyless-agent');
    const noKey = await postSign(app, { ...good, did: keyless.did });
    assert.equal(noKey.statusCode, 409, noKey.body);
    assert.equal(codeOf(noKey), 'AGENT_HAS_NO_KEY');

    // Revoked: refused even with a valid signature.
    const rev = await app.inject({ method: 'POST', url: `/api/v1/agents/${other.did}/revoke`, headers: admin });
    assert.equal(rev.statusCode, 200, rev.body);
    const afterRevoke = await tableCounts(storage);
    const res = await postSign(app, await signBody(other.pair, other.did, 'after revocation', clock.now()));
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(codeOf(res), 'AGENT_REVOKED');
    assert.deepEqual(await tableCounts(storage), afterRevoke);
  } finally {
    await app.close();
  }
});

eachEngine('sign: rate-limited per DID, counting only signatures that verify', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: { ...SIG_ENV, VOUCH_SIGN_RATE_MAX: '2' } });
  try {
    const agent = await registerPow(app);
    const other = await registerPow(app);
    // Forgeries in the agent's name do not spend its allowance.
    for (let i = 0; i < 3; i++) {
      const forged = await signBody(other.pair, agent.did, `forged ${i}`, clock.now());
      assert.equal(codeOf(await postSign(app, forged)), 'SIGNATURE_INVALID');
    }
    await recordSigned(app, agent, 'one', clock.now());
    await recordSigned(app, agent, 'two', clock.now());
    const before = await tableCounts(storage);
    const third = await postSign(app, await signBody(agent.pair, agent.did, 'three', clock.now()));
    assert.equal(third.statusCode, 429, third.body);
    assert.equal(codeOf(third), 'RATE_LIMITED');
    assert.ok(Number(third.headers['retry-after']) >= 1);
    assert.deepEqual(await tableCounts(storage), before);
    // Another DID is not limited; the next window is open again.
    await recordSigned(app, other, 'mine', clock.now());
    clock.advance(60_000);
    await recordSigned(app, agent, 'three', clock.now());
  } finally {
    await app.close();
  }
});

eachEngine('sign: the signature covers the UTF-8 of "<payloadHash>:<signedAt>" exactly', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const agent = await registerPow(app);
    const signedAt = clock.now();
    const payloadHash = sha256HexSync('x');
    const variants = [`${payloadHash}${signedAt}`, `${payloadHash}:${signedAt}\n`, `${signedAt}:${payloadHash}`];
    for (const text of variants) {
      const res = await postSign(app, {
        did: agent.did,
        payloadHash,
        signedAt,
        signature: await signText(agent.pair, text),
      });
      assert.equal(codeOf(res), 'SIGNATURE_INVALID', text);
    }
    const ok = await postSign(app, {
      did: agent.did,
      payloadHash,
      signedAt,
      signature: await signText(agent.pair, `${payloadHash}:${signedAt}`),
    });
    assert.equal(ok.statusCode, 201, ok.body);
  } finally {
    await app.close();
  }
});

eachEngine('sign: the same submission from two processes at once is stored once', async ({ open }) => {
  const one = await makeApp(await open(), { env: SIG_ENV });
  const storage = await open();
  const two = await makeApp(storage, { env: SIG_ENV, kek: one.kek, clock: one.clock });
  try {
    const agent = await registerPow(one.app);
    const body = await signBody(agent.pair, agent.did, 'raced', one.clock.now());
    const results = await Promise.all([0, 1, 2, 3].map((i) => postSign(i % 2 === 0 ? one.app : two.app, body)));
    assert.deepEqual(
      results.map((r) => r.statusCode),
      [201, 201, 201, 201],
    );
    assert.equal(new Set(results.map((r) => (r.json() as { signatureHash: string }).signatureHash)).size, 1);
    assert.equal((await tableCounts(storage)).signatures, 1);
    assert.equal(await countSignatures(two.ctx, agent.id), 1);
  } finally {
    await one.app.close();
    await two.app.close();
  }
});
