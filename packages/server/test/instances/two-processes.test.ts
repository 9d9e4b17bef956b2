// Two `vouch serve` processes on one PostgreSQL schema, as behind a load balancer (docs/operations.md): what one
// instance does, the other honours — revocations, consumed nonces, registry changes, key rotation (a compromised one
// within 1 s, through LISTEN/NOTIFY) — and two instances starting together on an empty database end with one set of
// server keys.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateKeyPair } from '@vouch/sdk';
import { openStorage } from '../../src/storage/index.ts';
import { SERVER_KEY_PURPOSES } from '../../src/start.ts';
import { serverEnv } from '../helpers/app.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { cosignature, makeIssuers, proposal, unsigned } from '../registry/fixtures.ts';
import { ADMIN, call, dropSchema, freshSchema, serve, within } from './fixtures/serve.ts';
import type { VouchProcess } from './fixtures/serve.ts';

/** How soon a change made through one instance must be honoured by the other. */
const VISIBLE_WITHIN_MS = 1_000;

test('two instances on one PostgreSQL behave as one service', { timeout: 180_000 }, async (t) => {
  if (TEST_DATABASE_URL === undefined) {
    t.skip(PG_SKIP_REASON);
    return;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-instances-'));
  const pgSchema = freshSchema();
  const env = {
    ...serverEnv('postgres', { dataDir, databaseUrl: TEST_DATABASE_URL, pgSchema }),
    VOUCH_POW_DIFFICULTY: '0',
    VOUCH_PUBLIC_URL: 'https://vouch.test',
  };
  const running: VouchProcess[] = [];
  try {
    // Both start at once on an empty schema: they race through migrations, the KEK check and key creation.
    const [a, b] = await Promise.all([serve(env), serve(env)]);
    running.push(a!, b!);
    const A = a!.url;
    const B = b!.url;

    await t.test('both started from an empty database and share one set of server keys', async () => {
      const storage = await openStorage({ dataDir, databaseUrl: TEST_DATABASE_URL, pgSchema });
      try {
        const keys = await storage.db.selectFrom('server_keys').select(['purpose', 'kid']).execute();
        assert.deepEqual(
          keys.map((k) => k.purpose).sort(),
          SERVER_KEY_PURPOSES.map((p) => p.purpose).sort(),
          'one key per purpose',
        );
      } finally {
        await storage.close();
      }
      const [ja, jb] = await Promise.all([
        call(A, 'GET', '/.well-known/jwks.json'),
        call(B, 'GET', '/.well-known/jwks.json'),
      ]);
      assert.equal(ja.status, 200);
      assert.deepEqual(ja.body, jb.body);
    });

    const key = await generateKeyPair('Ed25519');
    const reg = await call(A, 'POST', '/api/v1/agents/register', { publicKey: key.publicKeyBase64, powNonce: '0' });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const did = reg.body.did as string;

    await t.test('a token revoked through A is refused by B within 1 s', async () => {
      const issued = await call(A, 'POST', '/api/registry/issue', { agent_name: did }, ADMIN);
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      const token = issued.body.token as string;
      // B has verified (and may have cached) the token before the revocation.
      assert.equal((await call(B, 'POST', '/api/registry/verify', { token })).status, 200);
      const revoked = await call(A, 'POST', '/api/registry/revoke', { jti: issued.body.jti }, ADMIN);
      assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
      const took = await within(VISIBLE_WITHIN_MS, 'revocation visible at B', async () => {
        const r = await call(B, 'POST', '/api/registry/verify', { token });
        return r.status === 401 && r.body.code === 'TOKEN_REVOKED';
      });
      t.diagnostic(`revocation visible at B after ${Math.round(took)} ms`);
    });

    await t.test('a session nonce consumed at A is refused at B', async () => {
      const issued = await call(
        A,
        'POST',
        '/api/registry/issue',
        { agent_name: did, token_type: 'session', audience: 'shop.example', nonce: 'n-1' },
        ADMIN,
      );
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      const token = issued.body.token as string;
      const first = await call(
        A,
        'POST',
        '/api/registry/verify',
        { token, audience: 'shop.example', nonce: 'n-1' },
        ADMIN,
      );
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const replay = await call(
        B,
        'POST',
        '/api/registry/verify',
        { token, audience: 'shop.example', nonce: 'n-1' },
        ADMIN,
      );
      assert.equal(replay.status, 401, JSON.stringify(replay.body));
      assert.equal(replay.body.code, 'NONCE_REPLAYED');
    });

    const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    const genesis = await call(
      A,
      'POST',
      '/v1/registry/genesis',
      { issuers: [is.alpha!, is.bravo!, is.charlie!].map((i) => i.entry), threshold: 2 },
      ADMIN,
    );
    assert.equal(genesis.status, 201, JSON.stringify(genesis.body));
    const registry = genesis.body.registry as string;

    await t.test('a registry proposal applied on A is served by B', async () => {
      const add = await proposal(
        { registry, baseSequence: 1, action: 'add', entry: unsigned(is.delta!.entry) },
        [is.alpha!],
        Date.now(),
      );
      const posted = await call(A, 'POST', '/v1/registry/proposals', add);
      assert.equal(posted.status, 201, JSON.stringify(posted.body));
      const applied = await call(
        A,
        'POST',
        `/v1/registry/proposals/${posted.body.id as string}/signatures`,
        cosignature(add, is.bravo!, Date.now()),
      );
      assert.equal(applied.body.status, 'applied', JSON.stringify(applied.body));
      await within(VISIBLE_WITHIN_MS, 'applied proposal served by B', async () => {
        const doc = await call(B, 'GET', '/v1/registry');
        const issuer = await call(B, 'GET', '/v1/registry/issuers/delta');
        return doc.body.sequence === 2 && issuer.status === 200 && issuer.body.status === 'active';
      });
    });

    await t.test("the same proposal's last signature sent to A and B at once applies it once", async () => {
      const add = await proposal(
        { registry, baseSequence: 2, action: 'add', entry: unsigned(is.echo!.entry) },
        [is.alpha!],
        Date.now(),
      );
      const posted = await call(A, 'POST', '/v1/registry/proposals', add);
      assert.equal(posted.status, 201, JSON.stringify(posted.body));
      const url = `/v1/registry/proposals/${posted.body.id as string}/signatures`;
      const [ra, rb] = await Promise.all([
        call(A, 'POST', url, cosignature(add, is.bravo!, Date.now())),
        call(B, 'POST', url, cosignature(add, is.charlie!, Date.now())),
      ]);
      const results = [ra!, rb!];
      const applied = results.filter((r) => r.status === 200 && r.body.status === 'applied');
      assert.equal(applied.length, 1, JSON.stringify(results));
      const other = results.find((r) => r !== applied[0])!;
      assert.equal(other.status, 409, JSON.stringify(other.body));
      const [da, db] = await Promise.all([call(A, 'GET', '/v1/registry'), call(B, 'GET', '/v1/registry')]);
      assert.equal(da.body.sequence, 3, 'applied exactly once: one step past the previous sequence');
      assert.equal(db.body.sequence, 3);
      const list = await call(B, 'GET', '/v1/registry/proposals?status=applied');
      assert.equal((list.body.proposals as unknown[]).length, 2);
    });

    await t.test('the very same last signature sent to A and B at once applies the proposal once', async () => {
      // One client sending its one signature to both instances (a retry through the load balancer), not two signers.
      const raise = await proposal(
        { registry, baseSequence: 3, action: 'threshold', threshold: { required: 3 } },
        [is.alpha!],
        Date.now(),
      );
      const posted = await call(A, 'POST', '/v1/registry/proposals', raise);
      assert.equal(posted.status, 201, JSON.stringify(posted.body));
      const url = `/v1/registry/proposals/${posted.body.id as string}/signatures`;
      const last = cosignature(raise, is.bravo!, Date.now());
      const results = await Promise.all([call(A, 'POST', url, last), call(B, 'POST', url, last)]);
      const applied = results.filter((r) => r.status === 200 && r.body.status === 'applied');
      assert.equal(applied.length, 1, JSON.stringify(results));
      // The other is refused: already applied (409) or its signer already counted (400 duplicate-signer).
      const other = results.find((r) => r !== applied[0])!;
      assert.ok(other.status === 409 || other.status === 400, JSON.stringify(other.body));
      const [da, db] = await Promise.all([call(A, 'GET', '/v1/registry'), call(B, 'GET', '/v1/registry')]);
      assert.equal(da.body.sequence, 4, 'applied exactly once: one step past the previous sequence');
      assert.equal(db.body.sequence, 4);
    });

    await t.test("key rotation on A is visible in B's JWKS within 1 s", async () => {
      const before = await call(B, 'GET', '/.well-known/jwks.json');
      const rotated = await call(A, 'POST', '/api/v1/admin/keys/rotate', {}, ADMIN);
      assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
      const kid = rotated.body.kid as string;
      assert.ok(!(before.body.keys as Array<{ kid: string }>).some((k) => k.kid === kid));
      const took = await within(VISIBLE_WITHIN_MS, "new key in B's JWKS", async () => {
        const jwks = await call(B, 'GET', '/.well-known/jwks.json');
        return (jwks.body.keys as Array<{ kid: string }>).some((k) => k.kid === kid);
      });
      t.diagnostic(`rotation visible at B after ${Math.round(took)} ms`);
      // A token B issues now is signed with the new key and verifies at A.
      const issued = await call(B, 'POST', '/api/registry/issue', { agent_name: did }, ADMIN);
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      const header = JSON.parse(Buffer.from((issued.body.token as string).split('.')[0]!, 'base64url').toString()) as {
        kid: string;
      };
      assert.equal(header.kid, kid);
      assert.equal((await call(A, 'POST', '/api/registry/verify', { token: issued.body.token })).status, 200);
    });

    await t.test("a compromised rotation on A: B refuses the dropped key's tokens within 1 s", async () => {
      const issued = await call(A, 'POST', '/api/registry/issue', { agent_name: did }, ADMIN);
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      const token = issued.body.token as string;
      // B has just loaded (and caches, 10 s) the key that signed it.
      assert.equal((await call(B, 'POST', '/api/registry/verify', { token })).status, 200);
      const rotated = await call(A, 'POST', '/api/v1/admin/keys/rotate', { compromised: true }, ADMIN);
      assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
      // Announced as the rotation commits (LISTEN/NOTIFY): not when B's key cache expires.
      const took = await within(VISIBLE_WITHIN_MS, "dropped key's token refused at B", async () => {
        const r = await call(B, 'POST', '/api/registry/verify', { token });
        return r.status === 401 && r.body.code === 'JWT_KID_UNKNOWN';
      });
      t.diagnostic(`compromised rotation honoured at B after ${Math.round(took)} ms`);
      // Refused for its dropped key, not because B now refuses every token: one signed with the new key verifies.
      const fresh = await call(A, 'POST', '/api/registry/issue', { agent_name: did }, ADMIN);
      assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
      const verified = await call(B, 'POST', '/api/registry/verify', { token: fresh.body.token });
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
    });
  } finally {
    await Promise.all(running.map((p) => p.stop()));
    await dropSchema(TEST_DATABASE_URL, pgSchema);
    await rm(dataDir, { recursive: true, force: true });
  }
});
