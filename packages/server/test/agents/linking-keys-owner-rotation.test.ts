// A linking key links whatever registers with it to its owner, for 7 days. An owner rotates its API key after a
// suspected leak: the keys a thief minted with the leaked one must stop with it, or the thief keeps registering
// agents that show the owner's name ("owner" proof, +5 score) for a week. The rotation voids the owner's unused
// linking keys, in its transaction (docs/PROTOCOL.md, "Replacing credentials").
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { listAudit } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, bearer, codeOf, createOwner, newPair, TEST_ENV } from './helpers.ts';
import { solvePow } from '@vouch/sdk';
import type { FastifyInstance } from 'fastify';

async function mintLinkingKey(app: FastifyInstance, apiKey: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/owners/linking-keys', headers: bearer(apiKey) });
  assert.equal(res.statusCode, 201, res.body);
  return (res.json() as { linkingKey: string }).linkingKey;
}

async function registerWith(app: FastifyInstance, linkingKey: string) {
  const pair = await newPair();
  const { nonce } = await solvePow(pair.publicKeyBase64!, { difficulty: 1 });
  return app.inject({
    method: 'POST',
    url: '/api/v1/agents/register',
    payload: { publicKey: pair.publicKeyBase64, powNonce: nonce, linkingKey },
  });
}

eachEngine("an owner key rotation voids the owner's unused linking keys", async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const owner = await createOwner(app, 'acme');
    const other = await createOwner(app, 'globex');
    const stolen = await mintLinkingKey(app, owner.apiKey); // minted by a thief with the leaked key
    const spent = await mintLinkingKey(app, owner.apiKey);
    assert.equal((await registerWith(app, spent)).statusCode, 201);
    const othersKey = await mintLinkingKey(app, other.apiKey);

    clock.advance(1000);
    for (const [who, headers] of [
      ['the owner', bearer(owner.apiKey)],
      ['the admin', admin],
    ] as const) {
      const rotated = await app.inject({
        method: 'POST',
        url: `/api/v1/owners/${owner.ownerId}/rotate-key`,
        headers,
      });
      assert.equal(rotated.statusCode, 200, `${who}: ${rotated.body}`);
      if (who === 'the owner') {
        const res = await registerWith(app, stolen);
        assert.equal(res.statusCode, 400, `a linking key minted before the rotation still linked: ${res.body}`);
        assert.equal(codeOf(res), 'TOKEN_INVALID');
      }
    }
    const agents = await storage.db.selectFrom('agents').select('owner_id').execute();
    assert.deepEqual(
      agents.map((a) => a.owner_id),
      [owner.ownerId],
      'only the agent registered before the rotation is linked',
    );

    // Another owner's keys are untouched; the rotated owner mints new ones with its new key.
    assert.equal((await registerWith(app, othersKey)).statusCode, 201);
    const audit = await listAudit(storage.db, { action: 'owner.rotate_key' });
    const details = audit.map((e) => e.details).sort((a, b) => String(a!.by).localeCompare(String(b!.by)));
    assert.deepEqual(details, [
      { by: 'admin', revoked: 1 },
      { by: 'owner', revoked: 1, linkingKeysRevoked: 1 },
    ]);
  } finally {
    await app.close();
  }
});

eachEngine('a rotation voids the linking keys for a process whose clock lags too', async ({ open }) => {
  // Two processes on one database; B's clock is a minute behind A's (within any sane skew).
  const a = await makeApp(await open(), { env: TEST_ENV });
  const b = await makeApp(await open(), { env: TEST_ENV, kek: a.kek, clock: new ManualClock(a.clock.now() - 60_000) });
  try {
    const owner = await createOwner(a.app, 'acme');
    const stolen = await mintLinkingKey(a.app, owner.apiKey);
    const rotated = await a.app.inject({
      method: 'POST',
      url: `/api/v1/owners/${owner.ownerId}/rotate-key`,
      headers: bearer(owner.apiKey),
    });
    assert.equal(rotated.statusCode, 200, rotated.body);
    const res = await registerWith(b.app, stolen);
    assert.equal(res.statusCode, 400, `the lagging process still linked with a voided key: ${res.body}`);
    assert.equal(codeOf(res), 'TOKEN_INVALID');
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
