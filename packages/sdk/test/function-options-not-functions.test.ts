// The client's and the AIP verifier's function options (fetch, now, sleep, random) were taken as given: a fetch that
// is not a function (a URL string, settings read from JSON) failed every attempt as NETWORK_ERROR, retried with
// backoff, and a clock that is not one threw a raw TypeError mid-call ("this.now is not a function"). Each is now
// refused when the client or verifier is made, as VouchError INVALID_ARGUMENT naming the option; null is the default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAipVerifier, createMemoryNonceStore, isVouchError, VouchClient } from '../src/index.ts';
import type { AipVerifierOptions, VouchClientOptions } from '../src/index.ts';

function invalid(name: string) {
  return (err: unknown): boolean => {
    assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
    assert.equal(err.message, `${name} must be a function.`);
    return true;
  };
}

test('a fetch, now, sleep or random option that is not a function is INVALID_ARGUMENT naming it', () => {
  for (const bad of ['http://127.0.0.1:1', 42, {}]) {
    for (const name of ['fetch', 'now', 'sleep', 'random']) {
      const options = { baseUrl: 'http://127.0.0.1:1', [name]: bad } as unknown as VouchClientOptions;
      assert.throws(() => new VouchClient(options), invalid(name), `${name}: ${String(bad)}`);
    }
    for (const name of ['fetch', 'now']) {
      const options = { issuer: 'http://127.0.0.1:1', [name]: bad } as unknown as AipVerifierOptions;
      assert.throws(() => createAipVerifier(options), invalid(name), `${name}: ${String(bad)}`);
    }
  }
  const none = { fetch: null, now: null, sleep: null, random: null };
  assert.ok(new VouchClient({ baseUrl: 'http://127.0.0.1:1', ...none } as unknown as VouchClientOptions));
  assert.ok(
    createAipVerifier({ issuer: 'http://127.0.0.1:1', fetch: null, now: null } as unknown as AipVerifierOptions),
  );
});

// createMemoryNonceStore's clock defaulted only when absent: null (or a non-function) threw a raw TypeError ("now is
// not a function") at the first session token, out of the verifier's verify and check alike.
test('createMemoryNonceStore reads a null clock as the default and refuses a non-function', () => {
  const store = createMemoryNonceStore(null as unknown as () => number);
  assert.equal(store.consume('shop', 'n1', Date.now() + 60_000), true);
  assert.equal(store.consume('shop', 'n1', Date.now() + 60_000), false);
  assert.throws(() => createMemoryNonceStore(42 as unknown as () => number), invalid('now'));
});
