// A domain of up to 253 characters is valid, but `_vouch-verify.<domain>` is 14 characters longer: past 239, that name
// is longer than DNS allows (253), so no TXT record can ever be published there. The challenge used to tell the owner
// to add it anyway, and verify-domain reported the resolver's EBADNAME. Now the challenge offers only the two web
// methods for such a domain, and the check says why the DNS method cannot work, without sending a query. On loopback
// sites.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { verificationMethods } from '../../src/modules/agents/domain/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { startDomainSites } from '../net/fixtures/domain-sites.ts';
import type { DomainSites } from '../net/fixtures/domain-sites.ts';
import { domainWebApp } from './domain-web-app.ts';
import { bearer, registerSlug } from './helpers.ts';

const SITE = '127.0.0.6';

/** A valid domain of `length` characters (206 to 253) under example.test. */
const domainOf = (length: number) =>
  `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(length - 205)}.example.test`;
/** 249 characters, a valid domain; `_vouch-verify.` + it is 263. */
const LONG = domainOf(249);

test('a domain of 239 characters keeps the DNS TXT method (its name is 253), one of 240 does not', () => {
  const methods = (domain: string) => verificationMethods(domain, 'token').map((m) => m.method);
  assert.equal(domainOf(239).length, 239);
  assert.deepEqual(methods(domainOf(239)), ['dns_txt', 'meta_tag', 'file']);
  assert.deepEqual(methods(domainOf(240)), ['meta_tag', 'file']);
});

let sites: DomainSites;
before(async () => {
  sites = await startDomainSites(SITE);
});
after(() => sites.close());

eachEngine('a domain too long for its TXT name is offered and checked by the web methods only', async ({ open }) => {
  assert.equal(LONG.length, 249);
  const { app } = await domainWebApp(await open(), sites, SITE);
  try {
    const bot = await registerSlug(app, 'long-domain');
    const auth = bearer(bot.managementToken);
    const c = await app.inject({
      method: 'GET',
      url: `/t/v1/identity/long-domain/domain-challenge?domain=${LONG}`,
      headers: auth,
    });
    assert.equal(c.statusCode, 200, c.body);
    const challenge = c.json() as { challenge_token: string; verification_methods: Array<{ method: string }> };
    assert.deepEqual(
      challenge.verification_methods.map((m) => m.method),
      ['meta_tag', 'file'],
    );
    assert.doesNotMatch(c.body, /_vouch-verify\./);
    // Registering with such a domain: the seed's `domain` key (the TXT instruction) is empty, the web two are given.
    const withDomain = await registerSlug(app, 'long-domain-two', { domain: LONG });
    const offered = withDomain.body.verification_challenges as Record<string, string>;
    assert.equal(offered.domain, '');
    assert.match(offered.domain_meta_tag!, /^Add to <head> of https:\/\//);
    assert.match(offered.domain_file!, /vouch-verify\.txt/);

    sites.dns.zone.set(LONG, { A: [SITE] });
    sites.homes.delete(LONG);
    sites.files.delete(LONG);
    const queries = sites.dns.queries.length;
    const verify = () =>
      app.inject({
        method: 'POST',
        url: '/t/v1/identity/long-domain/verify-domain',
        headers: auth,
        payload: { domain: LONG },
      });
    const failed = await verify();
    assert.equal(failed.statusCode, 200, failed.body);
    const body = failed.json() as { verified: boolean; errors: Record<string, { code: string; error: string }> };
    assert.equal(body.verified, false);
    assert.equal(body.errors.dns_txt!.code, 'DNS_FAILED');
    assert.match(body.errors.dns_txt!.error, /_vouch-verify\.\S+ would be 263 characters.*253/);
    assert.doesNotMatch(body.errors.dns_txt!.error, /EBADNAME/);
    assert.equal(
      sites.dns.queries.slice(queries).filter((q) => q.type === 'TXT').length,
      0,
      'no TXT query for a name DNS cannot hold',
    );
  } finally {
    await app.close();
  }
});
