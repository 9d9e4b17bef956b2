// verifyRegistry's `maxLifetimeSeconds` (rule 1): a consumer that knows how long its authority signs documents for
// refuses one valid for longer, REGISTRY_LIFETIME_EXCEEDED, so an old long-lived document (or one dated in the future)
// cannot be fed to it for years. Without the option nothing changes: the CLI may sign for as long as it is told.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  createOfflineVerifier,
  signRegistryDocument,
  verifyRegistry,
  verifyTrustRegistry,
  type RegistryDocument,
  type VerifierCache,
} from '../src/index.ts';
import { at, failureKeys, governedRegistry, NOW, rejectsCode, type Governed } from './registry-fixtures.ts';

const DAY = 86_400;
let g: Governed;
const verify = (doc: RegistryDocument, extra: Partial<Parameters<typeof verifyRegistry>[1]> = {}) =>
  verifyRegistry(doc, { rootKey: g.root.publicKey, now: NOW, ...extra });
const signed = (validitySeconds: number, now = at(5)) =>
  signRegistryDocument(g.state, { rootKey: g.root.privateKey, now, validitySeconds });

before(async () => {
  g = await governedRegistry();
});

test('a document valid for exactly the bound verifies; one second longer is REGISTRY_LIFETIME_EXCEEDED', async () => {
  // g.doc is signed for 7 days.
  assert.equal((await verify(g.doc, { maxLifetimeSeconds: 7 * DAY })).valid, true);
  const r = await verify(g.doc, { maxLifetimeSeconds: 7 * DAY - 1 });
  assert.equal(r.valid, false);
  assert.deepEqual(failureKeys(r), ['1/REGISTRY_LIFETIME_EXCEEDED/-/-']);
  assert.match(r.failures[0]!.message, /604800 seconds.*604799/);
});

test('without the option a ten-year document verifies, as before', async () => {
  const long = await signed(3650 * DAY);
  assert.equal((await verify(long)).valid, true);
});

test('a ten-year document is refused all its life, its last day included', async () => {
  const long = await signed(3650 * DAY);
  const bound = { maxLifetimeSeconds: 30 * DAY };
  assert.deepEqual(failureKeys(await verify(long, bound)), ['1/REGISTRY_LIFETIME_EXCEEDED/-/-']);
  const lastDay = Date.parse(long.expiresAt) - DAY * 1000;
  assert.deepEqual(failureKeys(await verify(long, { ...bound, now: lastDay })), ['1/REGISTRY_LIFETIME_EXCEEDED/-/-']);
});

test('a document dated in the future counts its lifetime from now', async () => {
  // Signed "next year" for 7 days: 7 days from its own updatedAt, a year and 7 days from now.
  const future = await signed(7 * DAY, new Date(NOW.getTime() + 365 * DAY * 1000));
  assert.equal((await verify(future)).valid, true);
  assert.deepEqual(failureKeys(await verify(future, { maxLifetimeSeconds: 30 * DAY })), [
    '1/REGISTRY_LIFETIME_EXCEEDED/-/-',
  ]);
});

test('the bound is checked with the other rule-1 failures, after the root signature', async () => {
  const long = await signed(3650 * DAY);
  const expired = await verify(long, { maxLifetimeSeconds: 30 * DAY, now: Date.parse(long.expiresAt) });
  assert.deepEqual(failureKeys(expired).sort(), ['1/REGISTRY_EXPIRED/-/-', '1/REGISTRY_LIFETIME_EXCEEDED/-/-']);
  const unsigned = { ...long, rootSignature: g.doc.rootSignature };
  assert.deepEqual(failureKeys(await verify(unsigned, { maxLifetimeSeconds: 30 * DAY })), [
    '1/REGISTRY_SIGNATURE_INVALID/-/-',
  ]);
});

test('maxLifetimeSeconds must be a positive number', async () => {
  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '30' as unknown as number]) {
    await rejectsCode(() => verify(g.doc, { maxLifetimeSeconds: bad }), 'INVALID_ARGUMENT');
  }
});

test('verifyTrustRegistry passes the bound on and answers its code', async () => {
  const long = await signed(3650 * DAY);
  const r = await verifyTrustRegistry(JSON.parse(JSON.stringify(long)), {
    rootKey: g.root.publicKey,
    now: NOW.getTime(),
    maxLifetimeSeconds: 30 * DAY,
  });
  assert.equal(r.valid, false);
  assert.equal(r.valid === false && r.code, 'REGISTRY_LIFETIME_EXCEEDED');
  const ok = await verifyTrustRegistry(JSON.parse(JSON.stringify(g.doc)), {
    rootKey: g.root.publicKey,
    now: NOW.getTime(),
    maxLifetimeSeconds: 30 * DAY,
  });
  assert.equal(ok.valid, true);
});

test('an offline verifier passes the bound on', async () => {
  const long = await signed(3650 * DAY);
  const cache = { trustRegistry: JSON.parse(JSON.stringify(long)) } as unknown as VerifierCache;
  const bounded = createOfflineVerifier(cache, {
    rootKey: g.root.publicKey,
    now: () => NOW.getTime(),
    maxLifetimeSeconds: 30 * DAY,
  });
  const r = await bounded.verifyRegistry();
  assert.equal(r.valid === false && r.code, 'REGISTRY_LIFETIME_EXCEEDED');
  const unbounded = createOfflineVerifier(cache, { rootKey: g.root.publicKey, now: () => NOW.getTime() });
  assert.equal((await unbounded.verifyRegistry()).valid, true);
});
