// The signature page's "Signed by" name links to the signer's agent page (by slug, else by id), and its JSON URL is
// this signature's verify answer. Nothing read either: a page linking to another agent's page, or to no page at all,
// or showing a JSON URL without the hash, passed every test.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { newPair, recordSigned, registerPow, registerSlug, SIG_ENV } from './helpers.ts';

/** Checks the JSON URL of the signature page; answers where its signer link leads: the link and that page's DID. */
async function followLinks(t: TestApp, signatureHash: string): Promise<{ href: string; did: string | undefined }> {
  const html = (await t.app.inject({ url: `/verify/${signatureHash}`, headers: { accept: 'text/html' } })).body;
  const json = /JSON: <code>([^<]*)<\/code>/.exec(html)?.[1];
  assert.equal(json, `https://vouch.test/api/v1/signatures/verify?hash=${signatureHash}`, 'the JSON URL');
  const answer = await t.app.inject({ url: json!.slice('https://vouch.test'.length) });
  assert.equal((answer.json() as { signatureHash?: string }).signatureHash, signatureHash, answer.body);
  const href = /<a href="([^"]*)" id="signer-name">/.exec(html)?.[1];
  assert.ok(href !== undefined, 'the signer name is a link');
  const target = await t.app.inject({ url: href, headers: { accept: 'text/html' } });
  assert.equal(target.statusCode, 200, `${href}: ${target.body.slice(0, 200)}`);
  return { href, did: /<dt>DID<\/dt><dd><code>([^<]*)<\/code>/.exec(target.body)?.[1] };
}

eachEngine(
  "signature page: the signer's name links to its agent page (slug, else id); the JSON URL is its own",
  async ({ open }) => {
    const u = await makeApp(await open(), { env: SIG_ENV });
    try {
      const pow = await registerPow(u.app, { label: 'pow signer' });
      const powSig = await recordSigned(u.app, pow, 'one', u.clock.now());
      assert.deepEqual(await followLinks(u, powSig.signatureHash), { href: `/verify/${pow.id}`, did: pow.did });

      const pair = await newPair();
      const slug = await registerSlug(u.app, 'slug-signer', { public_key_pem: pair.publicKeyBase64 });
      const slugSig = await recordSigned(u.app, { did: slug.did, pair }, 'two', u.clock.now());
      assert.deepEqual(await followLinks(u, slugSig.signatureHash), { href: '/verify/slug-signer', did: slug.did });
    } finally {
      await u.app.close();
    }
  },
);
