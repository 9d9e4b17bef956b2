// A change made with a management token and a rotation of that token, at once: the change either lands before the
// rotation or is refused (401), never a deadlock (a 500), never made with the revoked token. Every transaction that
// holds a caller's credential takes the agent's row first, in the order the rotation takes them. On PostgreSQL the
// interleaving is forced: a third session holds the agent's row until the rotation and then the change wait behind
// it. A domain proof is checked over the network for seconds before it is recorded (a real DNS server on loopback
// here): the token must still be live when it is.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Storage } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { blockedBehind } from '../helpers/interleave.ts';
import { makeApp } from '../helpers/app.ts';
import { startDomainSites } from '../net/fixtures/domain-sites.ts';
import type { DomainSites } from '../net/fixtures/domain-sites.ts';
import { admin, bearer, codeOf, newPair, registerSlug, TEST_ENV } from './helpers.ts';

const SITE = '127.0.0.7';
let sites: DomainSites;
before(async () => {
  sites = await startDomainSites(SITE);
});
after(() => sites.close());

type Change = (app: FastifyInstance, slug: string, token: string) => Promise<LightMyRequestResponse>;

/** The changes a management token can make, each in a transaction that holds the token. */
const CHANGES: Record<string, Change> = {
  'set slug': (app, slug, token) =>
    app.inject({ method: 'PUT', url: `/api/v1/agents/${slug}/slug`, headers: bearer(token), payload: { slug } }),
  'release slug': (app, slug, token) =>
    app.inject({ method: 'DELETE', url: `/api/v1/agents/${slug}/slug`, headers: bearer(token) }),
  'tool manifest': (app, slug, token) =>
    app.inject({
      method: 'POST',
      url: `/v1/identity/${slug}/tools`,
      headers: bearer(token),
      payload: { tools: ['search'] },
    }),
  'voice fingerprint': (app, slug, token) =>
    app.inject({
      method: 'POST',
      url: `/v1/identity/${slug}/voice-fingerprint`,
      headers: bearer(token),
      payload: { fingerprint_hash: 'a'.repeat(64), provider: 'test', sample_count: 3 },
    }),
  'domain challenge': (app, slug, token) =>
    app.inject({
      method: 'GET',
      url: `/v1/identity/${slug}/domain-challenge?domain=agent.example.com`,
      headers: bearer(token),
    }),
  'revoke the agent': (app, slug, token) =>
    app.inject({ method: 'POST', url: `/api/v1/agents/${slug}/revoke`, headers: bearer(token), payload: {} }),
};

const DOMAIN_ENV = () => ({ VOUCH_DNS_SERVERS: sites.dns.address, VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: SITE });

/** Runs `change` and the admin's rotation of the same agent's management token at once; both answers. */
async function raced(
  storage: Storage,
  app: FastifyInstance,
  engine: string,
  did: string,
  change: () => Promise<LightMyRequestResponse>,
): Promise<{ rotation: LightMyRequestResponse; change: LightMyRequestResponse }> {
  const rotate = () =>
    app.inject({ method: 'POST', url: `/api/v1/agents/${did}/rotate-management-token`, headers: admin });
  if (engine !== 'postgres') {
    // SQLite runs one writing transaction at a time: the two only take turns. Both orders are still correct.
    const [rotation, answer] = await Promise.all([rotate(), change()]);
    return { rotation, change: answer };
  }
  // A third session holds the agent's row: the rotation queues for it first, then the change (which, on the old
  // order, had share-locked the token first; the rotation then waited for the change and the change for it).
  return storage.db.connection().execute(async (conn) => {
    await sql`begin`.execute(conn);
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn);
    const holder = rows[0]!.pid;
    await sql`select id from agents where id = ${did.slice(did.lastIndexOf(':') + 1)} for update`.execute(conn);
    const rotation = rotate();
    await blockedBehind(storage.db, holder, 1);
    const answer = change();
    await blockedBehind(storage.db, holder, 2);
    await sql`commit`.execute(conn);
    return { rotation: await rotation, change: await answer };
  });
}

for (const [name, change] of Object.entries(CHANGES)) {
  eachEngine(
    `a management token's change (${name}) racing its rotation: it lands first or is refused`,
    async ({ open, engine }) => {
      const storage = await open();
      const { app } = await makeApp(storage, { env: TEST_ENV });
      try {
        const pair = await newPair();
        const agent = await registerSlug(app, 'lock-order', { public_key_pem: pair.publicKeyBase64 });
        const { rotation, change: answer } = await raced(storage, app, engine, agent.did, () =>
          change(app, 'lock-order', agent.managementToken),
        );
        if (name === 'revoke the agent' && answer.statusCode === 200) {
          // The revocation landed first: the rotation then finds the agent revoked.
          assert.equal(rotation.statusCode, 403, rotation.body);
        } else {
          assert.equal(rotation.statusCode, 200, rotation.body);
        }
        if (engine === 'postgres') {
          // Forced order: the rotation committed first, so the change's token was revoked when it acted.
          assert.equal(answer.statusCode, 401, answer.body);
          assert.equal(codeOf(answer), 'UNAUTHORIZED');
        } else {
          assert.ok([200, 401].includes(answer.statusCode), `${answer.statusCode} ${answer.body}`);
        }
        // Whatever the order, the stolen token no longer works.
        const after = await change(app, 'lock-order', agent.managementToken);
        assert.equal(after.statusCode, 401, after.body);
      } finally {
        await app.close();
      }
    },
  );
}

eachEngine(
  "a domain proof checked while the caller's management token is rotated is not recorded",
  async ({ open, engine }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: { ...TEST_ENV, ...DOMAIN_ENV() } });
    try {
      const agent = await registerSlug(app, 'domain-race');
      const auth = bearer(agent.managementToken);
      const domain = `domain-race-${engine}.example.test`;
      const c = await app.inject({
        method: 'GET',
        url: `/v1/identity/domain-race/domain-challenge?domain=${domain}`,
        headers: auth,
      });
      assert.equal(c.statusCode, 200, c.body);
      sites.dns.zone.set(`_vouch-verify.${domain}`, {
        TXT: [(c.json() as { challenge_token: string }).challenge_token],
      });
      const { rotation, change: answer } = await raced(storage, app, engine, agent.did, () =>
        app.inject({
          method: 'POST',
          url: '/v1/identity/domain-race/verify-domain',
          headers: auth,
          payload: { domain },
        }),
      );
      assert.equal(rotation.statusCode, 200, rotation.body);
      const profile = await app.inject({ method: 'GET', url: '/v1/identity/domain-race' });
      const verified = (profile.json() as { verified_domain: string | null }).verified_domain;
      if (engine === 'postgres' || answer.statusCode === 401) {
        // The rotation committed while the domain was being checked: nothing is recorded.
        assert.equal(answer.statusCode, 401, answer.body);
        assert.equal(codeOf(answer), 'UNAUTHORIZED');
        assert.equal(verified, null);
      } else {
        assert.equal(answer.statusCode, 200, answer.body);
        assert.equal(verified, domain);
      }
    } finally {
      await app.close();
    }
  },
);
