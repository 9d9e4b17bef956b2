// An unclaimed agent's claim token sits next to its key (the CLI keeps both in the identity file), and whoever claims
// with it takes the agent over (as its owner: revoke it, replace its management token). A key rotation, the recovery
// from a compromised host, must not leave the thief that lever: the old claim token stops, and the rotation answers a
// fresh one, as it does a management token (docs/PROTOCOL.md, "Replacing credentials").
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { listAudit } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { bearer, claimAgent, codeOf, createOwner, newPair, registerPow, rotateKey, TEST_ENV } from './helpers.ts';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

eachEngine('a key rotation replaces an unused claim token: the stolen one claims nothing', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerPow(app);
    const stolen = agent.claimToken!;
    const thief = await createOwner(app, 'thief');
    const rightful = await createOwner(app, 'acme');

    // The operator recovers from the compromise by rotating the key.
    const rotated = await rotateKey(app, agent.did, agent.pair, await newPair(), clock.now());
    assert.equal(rotated.statusCode, 200, rotated.body);

    const claim = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/claim',
      headers: bearer(thief.apiKey),
      payload: { claimToken: stolen },
    });
    assert.equal(claim.statusCode, 400, `the claim token from before the rotation still claimed: ${claim.body}`);
    assert.equal(codeOf(claim), 'TOKEN_INVALID');
    const row = await storage.db.selectFrom('agents').selectAll().where('id', '=', agent.id).executeTakeFirstOrThrow();
    assert.equal(row.owner_id, null);

    const body = rotated.json() as { claimToken?: string };
    assert.match(body.claimToken ?? '', /^vouch_claim_[A-Za-z0-9_-]{43}$/, 'the rotation answers a fresh claim token');

    // The new one claims, once; stored hashed; the audit entry says it was replaced, without the secret.
    await claimAgent(app, rightful, body.claimToken);
    const [stored] = await storage.db.selectFrom('claim_tokens').selectAll().where('agent_id', '=', agent.id).execute();
    assert.equal(stored!.token_hash, sha256(body.claimToken!));
    const [entry] = await listAudit(storage.db, { action: 'agent.rotate_key' });
    assert.equal(entry!.details!.claimTokenReplaced, true);
    assert.ok(!JSON.stringify(entry).includes(body.claimToken!));
  } finally {
    await app.close();
  }
});

eachEngine('a rotation of a claimed agent leaves its used claim token alone and answers none', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerPow(app);
    const owner = await createOwner(app, 'acme');
    await claimAgent(app, owner, agent.claimToken);
    const rotated = await rotateKey(app, agent.did, agent.pair, await newPair(), clock.now());
    assert.equal(rotated.statusCode, 200, rotated.body);
    assert.deepEqual(Object.keys(rotated.json() as object).sort(), ['did', 'publicKey', 'rotatedAt']);
    const [stored] = await storage.db.selectFrom('claim_tokens').selectAll().where('agent_id', '=', agent.id).execute();
    assert.equal(stored!.token_hash, sha256(agent.claimToken!));
    assert.equal(stored!.owner_id, owner.ownerId);
  } finally {
    await app.close();
  }
});
