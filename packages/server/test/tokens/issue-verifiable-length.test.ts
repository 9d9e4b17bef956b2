// Every verifier refuses a token over 8,192 characters (JWT_TOO_LARGE, docs/PROTOCOL.md "Verify" step 1), the
// server's own included. The issue route accepts deployer, framework and up to 16 model_providers of 200 characters
// each, which, in non-ASCII or escaped text, sign to a longer token: the server must refuse to issue it (400, nothing
// recorded) rather than hand out a token that nobody, itself included, will ever accept.
import assert from 'node:assert/strict';
import { MAX_TOKEN_LENGTH } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { ADMIN, issue, post, registerAgent, tokenApp, verify } from './helpers.ts';

eachEngine('a token too long for any verifier is never issued', async ({ open }) => {
  const storage = await open();
  const t = await tokenApp(storage);
  try {
    const agent = await registerAgent(t);
    // 16 × 200 CJK characters: 3 UTF-8 bytes each, within every schema limit of the route.
    const providers = Array.from({ length: 16 }, (_, i) => String.fromCharCode(0x4e00 + i).repeat(200));
    // Within the limit, the same fields issue a token that verifies (this also makes the server's token key).
    const small = await issue(t, agent, { model_providers: providers.slice(0, 2), deployer: 'é'.repeat(200) });
    assert.ok(small.token.length <= MAX_TOKEN_LENGTH);
    assert.equal((await verify(t, { token: small.token })).body.valid, true);
    const before = await tableCounts(storage);
    const res = await post(t, '/api/registry/issue', { agent_name: agent.did, model_providers: providers }, ADMIN);
    if (res.statusCode === 201) {
      const { token } = res.json() as { token: string };
      const verdict = await verify(t, { token });
      assert.fail(
        `issued a ${token.length}-character token (limit ${MAX_TOKEN_LENGTH}); the server's own verify says ` +
          `${verdict.status} ${verdict.body.code}`,
      );
    }
    assert.equal(res.statusCode, 400, res.body);
    assert.equal((res.json() as { code: string }).code, 'VALIDATION_FAILED');
    assert.deepEqual(await tableCounts(storage), before, 'nothing recorded');
  } finally {
    await t.app.close();
  }
});
