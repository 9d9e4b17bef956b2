// Offline verifyToken rebuilt a Set of every revoked jti (and type-checked every entry) on each call, so each
// verification cost time in proportion to the cached list (up to ~1M entries). The list is now indexed once per jtis
// array: counted here by the entries read, not by timing. A fresher cache, or a list appended to, is read again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOfflineVerifier, verifyToken } from '../src/index.ts';
import type { VerifierCache } from '../src/index.ts';
import { aipIssuer, ISS, NOW } from './aip-fixtures.ts';

/** A list of `jtis` whose entry reads (by index or by iteration) are counted. */
function countedList(jtis: string[]): { list: string[]; reads: () => number } {
  let reads = 0;
  const list = new Proxy(jtis, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { list, reads: () => reads };
}

const many = (n: number) => Array.from({ length: n }, (_, i) => `r-${i}`);

test('verifyToken reads the revocation list once, not on every verification', async () => {
  const a = await aipIssuer();
  const token = await a.sign(a.identity); // jti j-1
  const revokedToken = await a.sign({ ...a.identity, jti: 'r-7' });
  const { list, reads } = countedList(many(1000));
  const cache = {
    discovery: { issuer: ISS, keys: a.jwks.keys },
    revocations: { jtis: list },
  } as unknown as VerifierCache;
  const v = createOfflineVerifier(cache, { now: () => NOW });
  assert.equal((await verifyToken(token, cache, { now: NOW })).valid, true);
  const first = reads();
  assert.ok(first >= 1000, `the first call reads the list (${first} reads)`);
  for (let i = 0; i < 50; i++) {
    assert.equal((await verifyToken(token, cache, { now: NOW })).valid, true);
    assert.equal((await v.verifyToken(token)).valid, true);
    assert.equal(((await v.verifyToken(revokedToken)) as { code?: string }).code, 'TOKEN_REVOKED');
  }
  assert.equal(reads(), first, 'later calls do not read the list again');
});

test('a fresher cache with a new list, or a list appended to, sees the new revocations', async () => {
  const a = await aipIssuer();
  const token = await a.sign(a.identity); // jti j-1
  const discovery = { issuer: ISS, keys: a.jwks.keys };
  const jtis = many(10);
  const old = { discovery, revocations: { jtis } } as unknown as VerifierCache;
  assert.equal((await verifyToken(token, old, { now: NOW })).valid, true);
  const fresher = { discovery, revocations: { jtis: [...jtis, 'j-1'] } } as unknown as VerifierCache;
  assert.equal(((await verifyToken(token, fresher, { now: NOW })) as { code?: string }).code, 'TOKEN_REVOKED');
  assert.equal((await verifyToken(token, old, { now: NOW })).valid, true, 'the older cache keeps its own answer');
  jtis.push('j-1'); // appended in place (a delta sync): the length changed, so the list is read again
  assert.equal(((await verifyToken(token, old, { now: NOW })) as { code?: string }).code, 'TOKEN_REVOKED');
  jtis.push(1 as unknown as string); // and type-checked again: a hand-edited entry is still refused
  assert.equal(((await verifyToken(token, old, { now: NOW })) as { code?: string }).code, 'INVALID_ARGUMENT');
});
