// A request signed by an agent's old key, authenticated just before a rotation of that key committed (in another
// process), must not act once the rotation has committed: the rotation is the recovery from a stolen key, and a
// thief's request in flight would otherwise still change the agent — worst, rotate its management token away from
// the operator who just rotated the key. The interleaving is forced: the rotation runs, through a second app on a
// second storage of the same database, right after the in-flight request's authenticator read the agent's key.
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { listAudit } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts, twoProcesses } from '../helpers/app.ts';
import { bearer, codeOf, newPair, registerSlug, rotateKey, signedInject, TEST_ENV } from './helpers.ts';
import type { SlugAgent } from './helpers.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { AGENT_LOOKUP } from './race-helpers.ts';

type GeneratedPair = Awaited<ReturnType<typeof newPair>>;

/** What a thief holding the old key sends, each an agent-signed change. */
const CHANGES: Record<
  string,
  (app: FastifyInstance, a: SlugAgent, key: GeneratedPair, at: number) => Promise<LightMyRequestResponse>
> = {
  'rotate the management token': (app, a, key, at) =>
    signedInject(app, key, a.did, 'POST', `/api/v1/agents/${a.did}/rotate-management-token`, {}, at),
  'take a slug': (app, a, key, at) =>
    signedInject(app, key, a.did, 'PUT', `/api/v1/agents/${a.did}/slug`, { slug: 'thief-slug' }, at),
  'release the slug': (app, a, key, at) =>
    signedInject(app, key, a.did, 'DELETE', `/api/v1/agents/${a.did}/slug`, undefined, at),
  'set the tool manifest': (app, a, key, at) =>
    signedInject(app, key, a.did, 'POST', `/v1/identity/${a.did}/tools`, { tools: ['wire_money'] }, at),
  'set a voice fingerprint': (app, a, key, at) =>
    signedInject(
      app,
      key,
      a.did,
      'POST',
      `/v1/identity/${a.did}/voice-fingerprint`,
      { fingerprint_hash: 'b'.repeat(64), provider: 'thief', sample_count: 1 },
      at,
    ),
  'revoke the agent': (app, a, key, at) =>
    signedInject(app, key, a.did, 'POST', `/api/v1/agents/${a.did}/revoke`, {}, at),
  // The rotation statement names the key the request was signed with: read from the agent's row after the operator's
  // rotation, it named the operator's new key, and the answer was 400 SIGNATURE_INVALID about the thief's valid
  // new-key signature (and used the request up) instead of the 401 every other change answers.
  'rotate the key to its own': async (app, a, key, at) => rotateKey(app, a.did, key, await newPair(), at),
};

for (const [name, change] of Object.entries(CHANGES)) {
  eachEngine(
    `a request signed by the old key (${name}) in flight across a key rotation does not act`,
    async ({ open }) => {
      const { a, b, storage, clock } = await twoProcesses(open, TEST_ENV);
      try {
        const oldPair = await newPair();
        const newPairKeys = await newPair();
        const agent = await registerSlug(a.app, `rotating-${Object.keys(CHANGES).indexOf(name)}`, {
          public_key_pem: oldPair.publicKeyBase64,
        });

        // The operator rotates the key from the other process, while the thief's request is between its
        // authentication (old key still current) and its transaction.
        let rotation: LightMyRequestResponse | undefined;
        afterNextPoolQuery(storage.db, AGENT_LOOKUP, async () => {
          // Another signature than the thief's: one millisecond later.
          rotation = await rotateKey(b.app, agent.did, oldPair, newPairKeys, clock.now() + 1);
        });
        const before = await tableCounts(storage);
        const answer = await change(a.app, agent, oldPair, clock.now());
        assert.ok(rotation !== undefined, 'the rotation ran in between');
        assert.equal(rotation.statusCode, 200, rotation.body);
        const operatorToken = (rotation.json() as { managementToken: string }).managementToken;

        assert.equal(answer.statusCode, 401, `${name} acted after the rotation: ${answer.body}`);
        assert.equal(codeOf(answer), 'UNAUTHORIZED');
        const profile = (await a.app.inject({ method: 'GET', url: `/v1/identity/${agent.did}` })).json() as {
          status: string;
          slug: string;
        };
        assert.notEqual(profile.status, 'revoked');
        assert.equal(profile.slug, agent.slug);
        // The operator's fresh management token is still the live one.
        const still = await a.app.inject({
          method: 'PUT',
          url: `/api/v1/agents/${agent.did}/slug`,
          headers: bearer(operatorToken),
          payload: { slug: agent.slug },
        });
        assert.equal(still.statusCode, 200, still.body);
        assert.deepEqual(await listAudit(storage.db, { action: 'agent.rotate_management_token' }), []);
        assert.deepEqual(await listAudit(storage.db, { action: 'agent.revoke' }), []);
        const after = await tableCounts(storage);
        assert.equal(after.tool_manifests, before.tool_manifests, 'no manifest stored');
        assert.equal(after.voice_fingerprints, before.voice_fingerprints, 'no voice fingerprint stored');
      } finally {
        await a.app.close();
        await b.app.close();
      }
    },
  );
}

eachEngine("a key rotation in flight across the agent's revocation does not act (AGENT_REVOKED)", async ({ open }) => {
  const { a, b, storage, clock } = await twoProcesses(open, TEST_ENV);
  try {
    const oldPair = await newPair();
    const next = await newPair();
    const agent = await registerSlug(a.app, 'revoked-rotating', { public_key_pem: oldPair.publicKeyBase64 });
    let revocation: LightMyRequestResponse | undefined;
    // After the route read the agent (the authenticator read it first): the revocation commits between the
    // route's check and its transaction.
    afterNextPoolQuery(
      storage.db,
      AGENT_LOOKUP,
      async () => {
        revocation = await b.app.inject({
          method: 'POST',
          url: `/api/v1/agents/${agent.did}/revoke`,
          headers: bearer(agent.managementToken),
          payload: {},
        });
      },
      2,
    );
    const at = clock.now();
    const answer = await rotateKey(a.app, agent.did, oldPair, next, at);
    assert.ok(revocation !== undefined, 'the revocation ran in between');
    assert.equal(revocation.statusCode, 200, revocation.body);
    assert.equal(answer.statusCode, 403, answer.body);
    assert.equal(codeOf(answer), 'AGENT_REVOKED');
    const row = await storage.db.selectFrom('agents').selectAll().where('id', '=', agent.id).executeTakeFirstOrThrow();
    assert.equal(row.public_key, oldPair.publicKeyBase64);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
