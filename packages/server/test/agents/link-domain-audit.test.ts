// Review: the remaining changes to who vouches for an agent are audited like its profile changes: a domain proof
// newly recorded by `verify-domain` (`agent.verify_domain`, with how it was proven), an owner minting a linking key
// (`owner.mint_linking_key`) and a registration that a linking key links to its owner (`agent.link`). Each entry
// names the caller and the request, is written in the transaction of the change, and never holds the challenge
// token, the linking key or its hash. A refused request, a check that finds no token, proving the agent's verified
// domain again and a registration without a linking key write none.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { solvePow } from '@vouch/sdk';
import { hashSecret } from '../../src/http/secrets.ts';
import { listAudit } from '../../src/storage/index.ts';
import type { AuditEntry, Storage } from '../../src/storage/index.ts';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { startDomainSites } from '../net/fixtures/domain-sites.ts';
import { domainWebApp } from './domain-web-app.ts';
import type { DomainSites } from '../net/fixtures/domain-sites.ts';
import { admin, bearer, codeOf, createOwner, newPair, registerPow, registerSlug, TEST_ENV } from './helpers.ts';

const SITE = '127.0.0.8';
const DAY = 24 * 60 * 60 * 1000;
const ACTIONS = new Set(['agent.verify_domain', 'owner.mint_linking_key', 'agent.link']);

type Entry = Omit<AuditEntry, 'id'>;

let sites: DomainSites;
before(async () => {
  sites = await startDomainSites(SITE);
});
after(() => sites.close());

/** The entries of {@link ACTIONS} written since the last call, oldest first. */
function auditReader(storage: Storage): () => Promise<Entry[]> {
  let seen = 0;
  return async () => {
    const all = (await listAudit(storage.db, { limit: 1000 })).filter((e) => ACTIONS.has(e.action)).reverse();
    const out = all.slice(seen).map(({ id: _id, ...e }) => e);
    seen = all.length;
    return out;
  };
}

function rid(res: LightMyRequestResponse, status = 200): string {
  assert.equal(res.statusCode, status, res.body);
  return String(res.headers['x-request-id']);
}

eachEngine(
  'a newly recorded domain proof is audited once, with its method; refusals and repeats are not',
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await domainWebApp(storage, sites, SITE);
    try {
      const fresh = auditReader(storage);
      const refused = async (res: LightMyRequestResponse, status: number, code: string) => {
        assert.equal(res.statusCode, status, res.body);
        assert.equal(codeOf(res), code);
        assert.deepEqual(await fresh(), [], `a refused request (${code}) writes no audit entry`);
      };
      const bot = await registerSlug(app, 'domain-bot');
      const other = await registerSlug(app, 'other-bot');
      const stranger = await createOwner(app, 'globex');
      const mgmt = bearer(bot.managementToken);
      const tokens: string[] = [];
      const challenge = async (domain: string, headers = mgmt, prefix = '') => {
        const res = await app.inject({
          method: 'GET',
          url: `${prefix}/v1/identity/domain-bot/domain-challenge?domain=${domain}`,
          headers,
        });
        rid(res);
        const token = (res.json() as { challenge_token: string }).challenge_token;
        tokens.push(token);
        return token;
      };
      const verify = (domain: string, headers = mgmt, prefix = '') =>
        app.inject({
          method: 'POST',
          url: `${prefix}/v1/identity/domain-bot/verify-domain`,
          headers,
          payload: { domain },
        });
      const verified = (res: LightMyRequestResponse, method: string) => {
        const id = rid(res);
        assert.deepEqual([res.json().verified, res.json().method], [true, method], res.body);
        return id;
      };

      /* ------------------------------------------------ DNS TXT, by the management token */
      const dnsToken = await challenge('dns-audit.example.test');
      const unpublished = await verify('dns-audit.example.test');
      rid(unpublished);
      assert.equal(unpublished.json().verified, false, unpublished.body);
      assert.deepEqual(await fresh(), [], 'a check that finds no token records nothing');
      sites.dns.zone.set('_vouch-verify.dns-audit.example.test', { TXT: [dnsToken] });
      const byDns = await verify('dns-audit.example.test');
      assert.deepEqual(await fresh(), [
        {
          at: clock.now(),
          actor: `agent:${bot.did}`,
          action: 'agent.verify_domain',
          target: bot.did,
          details: { by: 'management-token', domain: 'dns-audit.example.test', method: 'dns_txt' },
          requestId: verified(byDns, 'dns_txt'),
        },
      ]);
      clock.advance(1000);
      verified(await verify('dns-audit.example.test', admin), 'dns_txt');
      assert.deepEqual(await fresh(), [], "proving the agent's verified domain again records nothing new");

      /* ------------------------------------------------ the well-known file, by the admin */
      clock.advance(1000);
      const webToken = await challenge('web-audit.example.test', admin, '/t');
      sites.dns.zone.set('web-audit.example.test', { A: [SITE] });
      sites.files.set('web-audit.example.test', `${webToken}\n`);
      const byFile = await verify('web-audit.example.test', admin, '/t');
      assert.deepEqual(await fresh(), [
        {
          at: clock.now(),
          actor: 'admin',
          action: 'agent.verify_domain',
          target: bot.did,
          details: { by: 'admin', domain: 'web-audit.example.test', method: 'file' },
          requestId: verified(byFile, 'file'),
        },
      ]);

      /* ------------------------------------------------ an earlier domain proven again becomes the verified one */
      clock.advance(1000);
      const again = await verify('dns-audit.example.test');
      assert.deepEqual(await fresh(), [
        {
          at: clock.now(),
          actor: `agent:${bot.did}`,
          action: 'agent.verify_domain',
          target: bot.did,
          details: { by: 'management-token', domain: 'dns-audit.example.test', method: 'dns_txt' },
          requestId: verified(again, 'dns_txt'),
        },
      ]);
      const profile = await app.inject({ method: 'GET', url: '/v1/identity/domain-bot' });
      assert.equal(profile.json().verified_domain, 'dns-audit.example.test', profile.body);

      /* ------------------------------------------------ refusals */
      await refused(await verify('dns-audit.example.test', bearer(stranger.apiKey)), 403, 'FORBIDDEN');
      await refused(await verify('dns-audit.example.test', bearer(other.managementToken)), 403, 'FORBIDDEN');
      await refused(await verify('never-asked.example.test'), 404, 'DOMAIN_CHALLENGE_NOT_FOUND');
      const lateToken = await challenge('late-audit.example.test');
      sites.dns.zone.set('_vouch-verify.late-audit.example.test', { TXT: [lateToken] });
      clock.advance(DAY + 1);
      await refused(await verify('late-audit.example.test'), 409, 'DOMAIN_CHALLENGE_EXPIRED');
      rid(await app.inject({ method: 'POST', url: `/api/v1/agents/${bot.did}/revoke`, headers: admin, payload: {} }));
      await refused(await verify('dns-audit.example.test', admin), 403, 'AGENT_REVOKED');

      // No challenge token is written: whoever holds one can prove the domain with it until it expires.
      const text = JSON.stringify(await listAudit(storage.db, { limit: 1000 }));
      for (const token of tokens) assert.ok(!text.includes(token), 'no challenge token in the audit log');
    } finally {
      await app.close();
    }
  },
);

eachEngine(
  'minting a linking key and the link it makes at registration are audited, never with the key',
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const fresh = auditReader(storage);
      const refused = async (res: LightMyRequestResponse, status: number, code: string) => {
        assert.equal(res.statusCode, status, res.body);
        assert.equal(codeOf(res), code);
        assert.deepEqual(await fresh(), [], `a refused request (${code}) writes no audit entry`);
      };
      const owner = await createOwner(app, 'acme');
      const keys: string[] = [];
      const mint = async (headers = bearer(owner.apiKey)) => {
        const res = await app.inject({ method: 'POST', url: '/api/v1/owners/linking-keys', headers });
        const id = rid(res, 201);
        const body = res.json() as { linkingKey: string; expiresAt: number };
        keys.push(body.linkingKey);
        return { ...body, requestId: id };
      };
      const registerPowWith = async (linkingKey: string) => {
        const pair = await newPair();
        const { nonce } = await solvePow(pair.publicKeyBase64!, { difficulty: 1 });
        return app.inject({
          method: 'POST',
          url: '/api/v1/agents/register',
          payload: { publicKey: pair.publicKeyBase64!, powNonce: nonce, linkingKey },
        });
      };

      /* ------------------------------------------------ minting */
      const k1 = await mint();
      assert.deepEqual(await fresh(), [
        {
          at: clock.now(),
          actor: `owner:${owner.ownerId}`,
          action: 'owner.mint_linking_key',
          target: owner.ownerId,
          details: { by: 'owner', expiresAt: k1.expiresAt },
          requestId: k1.requestId,
        },
      ]);
      assert.equal(k1.expiresAt, clock.now() + 7 * DAY);
      await refused(
        await app.inject({
          method: 'POST',
          url: '/api/v1/owners/linking-keys',
          headers: bearer('vouch_owner_unknown'),
        }),
        401,
        'UNAUTHORIZED',
      );

      /* ------------------------------------------------ identity.app registration with the key */
      clock.advance(1000);
      const pow = await registerPowWith(k1.linkingKey);
      const powDid = (pow.json() as { did: string; linked: boolean }).did;
      assert.equal(pow.json().linked, true, pow.body);
      assert.deepEqual(await fresh(), [
        {
          at: clock.now(),
          actor: `agent:${powDid}`,
          action: 'agent.link',
          target: powDid,
          details: { ownerId: owner.ownerId },
          requestId: rid(pow, 201),
        },
      ]);
      await refused(await registerPowWith(k1.linkingKey), 409, 'TOKEN_USED');
      await refused(await registerPowWith('vouch_link_unknown'), 400, 'TOKEN_INVALID');

      /* ------------------------------------------------ Treeship registration with the key */
      clock.advance(1000);
      const k2 = await mint();
      const slug = await app.inject({
        method: 'POST',
        url: '/v1/identity/register',
        payload: { slug: 'linked-bot', linking_key: k2.linkingKey },
      });
      const slugDid = (slug.json() as { did: string }).did;
      assert.deepEqual(
        (await fresh()).map((e) => [e.action, e.actor, e.target, e.details, e.requestId]),
        [
          [
            'owner.mint_linking_key',
            `owner:${owner.ownerId}`,
            owner.ownerId,
            { by: 'owner', expiresAt: k2.expiresAt },
            k2.requestId,
          ],
          ['agent.link', `agent:${slugDid}`, slugDid, { ownerId: owner.ownerId }, rid(slug, 201)],
        ],
      );
      const reused = await app.inject({
        method: 'POST',
        url: '/v1/identity/register',
        payload: { slug: 'linked-bot-2', linking_key: k2.linkingKey },
      });
      await refused(reused, 409, 'TOKEN_USED');

      /* ------------------------------------------------ registrations without a key are not audited */
      await registerPow(app);
      await registerSlug(app, 'plain-bot');
      assert.deepEqual(await fresh(), [], 'a registration without a linking key writes no audit entry');

      // Neither a linking key nor its hash (whole or in part) is written.
      const text = JSON.stringify(await listAudit(storage.db, { limit: 1000 }));
      for (const key of keys) {
        assert.ok(!text.includes(key), 'no linking key in the audit log');
        assert.ok(!text.includes(hashSecret(key).slice(0, 16)), 'no linking key hash in the audit log');
      }
    } finally {
      await app.close();
    }
  },
);
