// A list of accepted typ values accepts a token whose typ is one of them, and refuses any other typ: the list form is
// what a verifier of several token types passes (verifyAipToken without tokenType accepts identity and session
// tokens), so a token of another type signed by the same key must not pass as one of them. Existing tests refused
// a mismatched typ only against a single accepted string, or against an empty list; found by mutation testing: a
// list check that answered "accepted" for any non-empty list left every test passing.
import { test } from 'node:test';
import { generateKeyPair, signJwt, verifyJws } from '../src/index.ts';
import { rejectsCode } from './vectors.ts';

test('a typ outside a non-empty accepted list is JWT_TYP_MISMATCH', async () => {
  const pair = await generateKeyPair('P-256');
  const resolveKey = () => pair.publicKey;
  const accepted = ['agent-identity+jwt', 'agent-session+jwt'];
  for (const typ of ['agent-identity+jwt', 'AGENT-SESSION+JWT']) {
    await verifyJws(await signJwt({ sub: 's' }, pair.privateKey, { kid: 'k', typ }), { resolveKey, typ: accepted });
  }
  for (const typ of ['capability+jwt', 'agent-identity+jwt2', 'jwt', '']) {
    const token = await signJwt({ sub: 's' }, pair.privateKey, { kid: 'k', typ });
    await rejectsCode(() => verifyJws(token, { resolveKey, typ: accepted }), 'JWT_TYP_MISMATCH');
  }
  // No typ at all is refused by a list as by a single value.
  const none = await signJwt({ sub: 's' }, pair.privateKey, { kid: 'k' });
  await rejectsCode(() => verifyJws(none, { resolveKey, typ: accepted }), 'JWT_TYP_MISMATCH');
});
