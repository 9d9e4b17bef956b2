// verifyJws compares a token's typ with the accepted values case-insensitively (RFC 7515 §4.1.9: typ values are
// media types, whose names are case-insensitive), on both sides. No test held the lowering of the token's own typ
// (it passed with `const t = typ` for `typ.toLowerCase()`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, signJwt, verifyJws } from '../src/index.ts';
import { rejectsCode } from './vectors.ts';

test('a token typ in another case than the accepted one is accepted; another typ is not', async () => {
  const pair = await generateKeyPair('P-256');
  const resolveKey = () => pair.publicKey;
  for (const typ of ['AGENT-IDENTITY+JWT', 'Agent-Identity+JWT', 'agent-identity+jwt']) {
    const token = await signJwt({ sub: 's' }, pair.privateKey, { kid: 'k', typ });
    for (const accepted of ['agent-identity+jwt', 'AGENT-IDENTITY+jwt', ['x', 'Agent-identity+JWT']]) {
      const { header } = await verifyJws(token, { resolveKey, typ: accepted });
      assert.equal(header.typ, typ);
    }
  }
  const other = await signJwt({ sub: 's' }, pair.privateKey, { kid: 'k', typ: 'AGENT-SESSION+JWT' });
  await rejectsCode(() => verifyJws(other, { resolveKey, typ: 'agent-identity+jwt' }), 'JWT_TYP_MISMATCH');
});
