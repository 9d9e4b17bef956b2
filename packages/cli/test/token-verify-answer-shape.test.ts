// `vouch token verify` online takes the verdict only from an answer in the verify shape: `valid` must be the boolean
// true (with claims) or false (with a code). A server or proxy answering 200 {"valid": "false"} (a string, truthy)
// made the CLI print "valid ..." and exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { run } from './helpers.ts';

test('token verify: an answer not in the verify shape is not a verdict (exit 2), never "valid"', async () => {
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
    // Claims that name no token (an array, no sub or jti, an exp that is no time) once printed "valid agent token of
    // undefined, expires - (jti undefined)", exit 0.
    const claims = { sub: 'did:identity:x', exp: 2_000_000_000, jti: 'j' };
    const notClaims = [[], {}, { ...claims, sub: 7 }, { ...claims, jti: undefined }, { ...claims, exp: 'soon' }];
    const bodies = [{ valid: 'false' }, { valid: 1, claims: {} }, null, [], { valid: true }];
    for (const body of [...bodies, ...notClaims.map((c) => ({ valid: true, claims: c }))]) {
      answer = { status: 200, body };
      const r = await run('token', 'verify', token, '--server', url);
      assert.equal(r.code, 2, `${JSON.stringify(body)}: ${r.out}${r.err}`);
      assert.doesNotMatch(r.out, /^valid/m);
      assert.match(r.err, /not a verification result/);
    }
    answer = { status: 401, body: { valid: false, code: 'JWT_EXPIRED', error: 'The token has expired.' } };
    const expired = await run('token', 'verify', token, '--server', url);
    assert.equal(expired.code, 1, expired.err);
    assert.match(expired.out, /invalid: JWT_EXPIRED/);
    answer = {
      status: 200,
      body: { valid: true, claims: { sub: 'did:identity:x', token_type: 'identity', exp: 2_000_000_000, jti: 'j' } },
    };
    const good = await run('token', 'verify', token, '--server', url);
    assert.equal(good.code, 0, good.err);
    assert.match(good.out, /^valid .*token of did:identity:x/m);
  } finally {
    server.close();
  }
});
