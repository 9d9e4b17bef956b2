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

eachEngine(
  'a token of exactly the 8,192 characters verifiers accept is issued; one character more is not',
  async ({ open }) => {
    const t = await tokenApp(await open());
    try {
      const agent = await registerAgent(t);
      // 9 × 200 CJK characters (3 UTF-8 bytes each) bring the payload near the limit; ASCII in deployer and framework
      // then moves it a byte at a time.
      const providers = Array.from({ length: 9 }, (_, i) => String.fromCharCode(0x4e00 + i).repeat(200));
      const body = (extra: number) => {
        const deployer = 'd'.repeat(Math.min(200, 1 + extra));
        const framework = 'f'.repeat(Math.max(1, 1 + extra - 199));
        return { agent_name: agent.did, model_providers: providers, deployer, framework };
      };
      const probe = await issue(t, agent, body(0));
      const bytes = (token: string) => Buffer.from(token.split('.')[1]!, 'base64url').length;
      // The header and the signature have fixed lengths: the payload's base64url fills the rest of the 8,192.
      const [header, , signature] = probe.token.split('.') as [string, string, string];
      const payloadChars = MAX_TOKEN_LENGTH - header.length - signature.length - 2;
      // base64url of n bytes is ceil(4n / 3) characters: the most bytes that fit, and they fill it exactly.
      const payloadBytes = Math.floor((payloadChars * 3) / 4);
      assert.equal(Math.ceil((payloadBytes * 4) / 3), payloadChars);
      const extra = payloadBytes - bytes(probe.token);
      assert.ok(extra > 0 && extra < 398, `extra ${extra}`);
      const exact = await post(t, '/api/registry/issue', body(extra), ADMIN);
      assert.equal(exact.statusCode, 201, exact.body);
      const { token } = exact.json() as { token: string };
      assert.equal(token.length, MAX_TOKEN_LENGTH);
      assert.equal((await verify(t, { token })).body.valid, true);
      const over = await post(t, '/api/registry/issue', body(extra + 1), ADMIN);
      assert.equal(over.statusCode, 400, over.body);
    } finally {
      await t.app.close();
    }
  },
);
