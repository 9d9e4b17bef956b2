// new VouchClient (and its HttpTransport) and createAipVerifier take a required options argument; a null or absent
// one (a JavaScript caller, settings read from JSON) threw a raw TypeError ("Cannot read properties of null (reading
// 'credentials')"). It now throws VouchError INVALID_ARGUMENT naming what the options must hold; they stay required.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAipVerifier, HttpTransport, isVouchError, VouchClient } from '../src/index.ts';
import type { AipVerifierOptions, HttpOptions, VouchClientOptions } from '../src/index.ts';

function invalid(names: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isVouchError(err), String(err));
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, names);
    return true;
  };
}

test('a null, undefined or non-object options argument is INVALID_ARGUMENT naming what is required', () => {
  for (const bad of [null, undefined, 'http://127.0.0.1:1', 42]) {
    assert.throws(() => new VouchClient(bad as unknown as VouchClientOptions), invalid(/baseUrl/), String(bad));
    assert.throws(() => new HttpTransport(bad as unknown as HttpOptions), invalid(/baseUrl/), String(bad));
    const options = bad as unknown as AipVerifierOptions;
    assert.throws(() => createAipVerifier(options), invalid(/issuer.*JWKS/), String(bad));
  }
  assert.equal(new VouchClient({ baseUrl: 'http://127.0.0.1:1/' }).baseUrl, 'http://127.0.0.1:1');
});

// An issuer that is not a string (a number from settings read from JSON) threw a raw TypeError
// ("options.issuer?.replace is not a function"); it is refused as any other issuer that is not a URL.
test('createAipVerifier refuses an issuer that is not a string as INVALID_ARGUMENT', () => {
  for (const issuer of [42, true, {}, ['https://vouch.example']]) {
    const options = { issuer, revocations: false } as unknown as AipVerifierOptions;
    assert.throws(() => createAipVerifier(options), invalid(/issuer must be an absolute URL/), String(issuer));
  }
});

// A revocationsUrl that is not an absolute URL was taken as given: a fetch that resolves it (a relative path) read
// the first page, and the next one, asked for with `since` added by new URL(...), threw a raw TypeError ("Invalid
// URL") out of syncRevocations. It is now refused when the verifier is made.
test('createAipVerifier refuses a revocationsUrl that is not an absolute URL as INVALID_ARGUMENT', async () => {
  for (const revocationsUrl of ['/api/registry/revocations', '', 42]) {
    const options = { jwks: { keys: [] }, revocationsUrl } as unknown as AipVerifierOptions;
    assert.throws(() => createAipVerifier(options), invalid(/revocationsUrl must be an absolute URL/));
  }
  const pages = [
    { revoked: [], cursor: 'c1', has_more: true },
    { revoked: [], cursor: 'c2', has_more: false },
  ];
  const asked: string[] = [];
  const verifier = createAipVerifier({
    jwks: { keys: [] },
    revocationsUrl: 'http://127.0.0.1:1/api/registry/revocations',
    fetch: async (url) => {
      asked.push(url);
      const text = JSON.stringify(pages[asked.length - 1]);
      return { status: 200, headers: new Headers({ 'content-type': 'application/json' }), text: async () => text };
    },
  });
  await verifier.syncRevocations();
  assert.deepEqual(asked, [
    'http://127.0.0.1:1/api/registry/revocations',
    'http://127.0.0.1:1/api/registry/revocations?since=c1',
  ]);
});
