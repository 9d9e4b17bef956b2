// Review: `POST /v1/identity/register` took `domain` in at most 253 characters of input, the longest name in its
// stored form, while a domain is accepted "in any spelling IDNA maps to the same name (... one trailing dot ...)"
// (docs/PROTOCOL.md, "Domain proofs"), as domain-challenge and verify-domain take it: a 253-character name written
// with its trailing dot (254 characters) was refused 400 VALIDATION_FAILED at registration, and given its challenge
// by domain-challenge.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { bearer, TEST_ENV } from './helpers.ts';

const LONGEST = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;

eachEngine('registration takes a domain in every spelling domain-challenge takes', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    assert.equal(LONGEST.length, 253);
    // The same name asked of domain-challenge: accepted, as the stored 253-character name.
    const first = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug: 'first-agent' } });
    assert.equal(first.statusCode, 201, first.body);
    const token = (first.json() as { management_token: string }).management_token;
    const asked = await app.inject({
      method: 'GET',
      url: `/v1/identity/first-agent/domain-challenge?domain=${LONGEST}.`,
      headers: bearer(token),
    });
    assert.equal(asked.statusCode, 200, asked.body);
    assert.equal((asked.json() as { domain: string }).domain, LONGEST);

    for (const [slug, spelling] of [
      ['dot-agent', `${LONGEST}.`],
      ['ideo-agent', `${LONGEST}。`],
    ] as const) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/identity/register',
        payload: { slug, domain: spelling },
      });
      assert.equal(res.statusCode, 201, res.body);
      const challenges = (res.json() as { verification_challenges: Record<string, string> }).verification_challenges;
      assert.ok(challenges.domain_file!.includes(`https://${LONGEST}/.well-known/vouch-verify.txt`), slug);
    }
    // Still one name at most 253 characters long: one more label character is refused, as by domain-challenge.
    const longer = await app.inject({
      method: 'POST',
      url: '/v1/identity/register',
      payload: { slug: 'long-agent', domain: `a${LONGEST}.` },
    });
    assert.equal(longer.statusCode, 400, longer.body);
    assert.equal((longer.json() as { code: string }).code, 'DOMAIN_INVALID');
  } finally {
    await app.close();
  }
});
