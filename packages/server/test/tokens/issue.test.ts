import assert from 'node:assert/strict';
import { AIP_TYP, decodeJwt } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import {
  ADMIN,
  createOwner,
  ISS,
  post,
  proofBody,
  registerAgent,
  revokeAgent,
  T0,
  tokenApp,
  verify,
} from './helpers.ts';

const S = T0 / 1000;

eachEngine('the admin issues identity and session tokens with the AIP claims and typ', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t, { slug: 'shopper' });
  const res = await post(
    t,
    '/api/registry/issue',
    {
      agent_name: 'shopper',
      token_type: 'identity',
      deployer: 'SkyPanther',
      model_providers: ['anthropic/claude-opus-4-5'],
      framework: 'openclaw',
    },
    ADMIN,
  );
  assert.equal(res.statusCode, 201, res.body);
  const body = res.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['exp', 'expires_in', 'jti', 'token', 'token_type']);
  assert.equal(body.token_type, 'identity');
  assert.equal(body.expires_in, '24h');
  assert.equal(res.headers['cache-control'], 'no-store');
  const { header, claims } = decodeJwt(body.token as string);
  assert.equal(header.alg, 'ES256');
  assert.equal(header.typ, AIP_TYP.identity);
  assert.match(header.kid!, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(claims, {
    iss: ISS,
    sub: agent.did,
    iat: S,
    exp: S + 86_400,
    jti: body.jti,
    [`${ISS}/claims/deployer`]: 'SkyPanther',
    [`${ISS}/claims/model_providers`]: ['anthropic/claude-opus-4-5'],
    [`${ISS}/claims/framework`]: 'openclaw',
    [`${ISS}/claims/token_type`]: 'identity',
  });
  assert.equal(body.exp, S + 86_400);

  const session = await post(
    t,
    '/api/registry/issue',
    { agent_name: agent.did, token_type: 'session', audience: 'shop.example', nonce: 'n-1', expires_in: '6h' },
    ADMIN,
  );
  assert.equal(session.statusCode, 201, session.body);
  const s = decodeJwt((session.json() as { token: string }).token);
  assert.equal(s.header.typ, AIP_TYP.session);
  assert.equal(s.claims.aud, 'shop.example');
  assert.equal(s.claims.nonce, 'n-1');
  assert.equal(s.claims.exp, S + 6 * 3600);
  // Default session lifetime is one hour.
  const short = await post(
    t,
    '/api/registry/issue',
    { agent_name: agent.did, token_type: 'session', audience: 'shop.example' },
    ADMIN,
  );
  assert.equal(decodeJwt((short.json() as { token: string }).token).claims.exp, S + 3600);

  // Admin issuance is audited (without the token).
  const audit = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit?action=token.issue', headers: ADMIN });
  const entries = (audit.json() as { entries: Array<{ target: string; details: Record<string, unknown> }> }).entries;
  assert.equal(entries.length, 3);
  assert.ok(!audit.body.includes('eyJ'), 'no token in the audit log');
  assert.ok(!t.logs.text().includes((body.token as string).split('.')[2]!), 'no token in the logs');
  await t.app.close();
});

eachEngine('the owner issues for its own agents only', async ({ open }) => {
  const t = await tokenApp(await open());
  const alice = await createOwner(t, 'alice');
  const bob = await createOwner(t, 'bob');
  const mine = await registerAgent(t, { owner: alice });
  const theirs = await registerAgent(t, { owner: bob });
  const unclaimed = await registerAgent(t);

  const ok = await post(t, '/api/registry/issue', { agent_name: mine.did }, alice.headers);
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal((await verify(t, { token: (ok.json() as { token: string }).token })).status, 200);

  const before = await tableCounts(t.ctx.storage);
  for (const other of [theirs, unclaimed]) {
    const res = await post(t, '/api/registry/issue', { agent_name: other.did }, alice.headers);
    assert.equal(res.statusCode, 403, res.body);
    assert.equal((res.json() as { code: string }).code, 'FORBIDDEN');
  }
  // A wrong owner key is no credential at all.
  const wrong = await post(
    t,
    '/api/registry/issue',
    { agent_name: mine.did },
    { authorization: 'Bearer vouch_owner_nope' },
  );
  assert.equal(wrong.statusCode, 401);
  assert.equal((wrong.json() as { code: string }).code, 'UNAUTHORIZED');
  assert.deepEqual(await tableCounts(t.ctx.storage), before, 'refusals wrote nothing');
  await t.app.close();
});

eachEngine('the agent issues for itself with a fresh proof, once per proof', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const other = await registerAgent(t);

  const body = await proofBody(t, agent, 'session', 'shop.example');
  const ok = await post(t, '/api/registry/issue', body);
  assert.equal(ok.statusCode, 201, ok.body);
  const { claims } = decodeJwt((ok.json() as { token: string }).token);
  assert.equal(claims.sub, agent.did);
  assert.equal(claims.aud, 'shop.example');

  const before = await tableCounts(t.ctx.storage);
  // The same proof again: replay.
  const replay = await post(t, '/api/registry/issue', body);
  assert.equal(replay.statusCode, 409, replay.body);
  assert.equal((replay.json() as { code: string }).code, 'PROOF_REPLAYED');

  const refusals: Array<[Record<string, unknown>, number, string]> = [
    // Stale: signed 301 s ago (window 300 s), or 301 s in the future.
    [await proofBody(t, agent, 'identity', undefined, T0 - 301_000), 401, 'PROOF_STALE'],
    [await proofBody(t, agent, 'identity', undefined, T0 + 301_000), 401, 'PROOF_STALE'],
    // Someone else's key, for this agent.
    [{ ...(await proofBody(t, other, 'identity')), agent_name: agent.did }, 401, 'PROOF_INVALID'],
    // A proof for another request (identity) used to get a session token.
    [{ ...(await proofBody(t, agent, 'identity')), token_type: 'session', audience: 'x' }, 401, 'PROOF_INVALID'],
    // A proof for another audience.
    [{ ...(await proofBody(t, agent, 'session', 'a.example')), audience: 'b.example' }, 401, 'PROOF_INVALID'],
    // Junk signatures.
    [{ ...(await proofBody(t, agent, 'identity')), proof: 'AAAA' }, 401, 'PROOF_INVALID'],
    [{ ...(await proofBody(t, agent, 'identity')), proof: 'not base64!' }, 401, 'PROOF_INVALID'],
    // Nothing at all.
    [{ agent_name: agent.did }, 401, 'UNAUTHORIZED'],
    [{ agent_name: agent.did, proof: 'AAAA' }, 400, 'VALIDATION_FAILED'],
  ];
  for (const [payload, status, code] of refusals) {
    const res = await post(t, '/api/registry/issue', payload);
    assert.equal(res.statusCode, status, `${code}: ${res.body}`);
    assert.equal((res.json() as { code: string }).code, code);
  }
  // Within the window either way is fine.
  assert.equal(
    (await post(t, '/api/registry/issue', await proofBody(t, agent, 'identity', undefined, T0 - 299_000))).statusCode,
    201,
  );
  assert.equal(
    (await tableCounts(t.ctx.storage)).issued_tokens,
    before.issued_tokens! + 1,
    'only the good proof issued a token',
  );
  await t.app.close();
});

eachEngine('issuance refuses unknown and revoked agents and malformed requests, writing nothing', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const gone = await registerAgent(t);
  await revokeAgent(t, gone.did);
  const before = await tableCounts(t.ctx.storage);
  const cases: Array<[Record<string, unknown>, number, string]> = [
    [{ agent_name: 'nobody-here' }, 404, 'NOT_FOUND'],
    [{ agent_name: 'did:identity:aaaaaaaaaaaaaaaaaaaaaaaaaa' }, 404, 'NOT_FOUND'],
    [{ agent_name: gone.did }, 403, 'AGENT_REVOKED'],
    [{ agent_name: agent.did, token_type: 'session' }, 400, 'VALIDATION_FAILED'],
    [{ agent_name: agent.did, token_type: 'identity', audience: 'x' }, 400, 'VALIDATION_FAILED'],
    [{ agent_name: agent.did, nonce: 'n' }, 400, 'VALIDATION_FAILED'],
    [{ agent_name: agent.did, token_type: 'claim' }, 400, 'VALIDATION_FAILED'],
    [{ agent_name: agent.did, expires_in: '48h' }, 400, 'VALIDATION_FAILED'],
    [{ agent_name: agent.did, expires_in: 3600 }, 400, 'VALIDATION_FAILED'],
    [{ agent_name: agent.did, token_type: 'session', audience: 'has space' }, 400, 'VALIDATION_FAILED'],
    [{ agent_name: agent.did, model_providers: 'x' }, 400, 'VALIDATION_FAILED'],
    [{ agent_name: agent.did, extra: 1 }, 400, 'VALIDATION_FAILED'],
    [{}, 400, 'VALIDATION_FAILED'],
  ];
  for (const [payload, status, code] of cases) {
    const res = await post(t, '/api/registry/issue', payload, ADMIN);
    assert.equal(res.statusCode, status, `${JSON.stringify(payload)}: ${res.body}`);
    assert.equal((res.json() as { code: string }).code, code);
  }
  const raw = await t.app.inject({
    method: 'POST',
    url: '/api/registry/issue',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    payload: '{"agent_name": ',
  });
  assert.equal(raw.statusCode, 400);
  assert.deepEqual(await tableCounts(t.ctx.storage), before);
  await t.app.close();
});

eachEngine('issue, verify and revoke are rate-limited with Retry-After', async ({ open }) => {
  const t = await tokenApp(await open(), {
    env: { VOUCH_TOKEN_ISSUE_RATE_MAX: '2', VOUCH_TOKEN_VERIFY_RATE_MAX: '2', VOUCH_TOKEN_REVOKE_RATE_MAX: '2' },
  });
  const agent = await registerAgent(t);
  for (const url of ['/api/registry/issue', '/api/registry/verify', '/api/registry/revoke']) {
    const payload = url.endsWith('issue')
      ? { agent_name: agent.did }
      : url.endsWith('verify')
        ? { token: 'x' }
        : { jti: 'x' };
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await post(t, url, payload, ADMIN)).statusCode);
    assert.notEqual(codes[0], 429);
    assert.notEqual(codes[1], 429);
    const last = await post(t, url, payload, ADMIN);
    assert.equal(last.statusCode, 429, url);
    assert.equal((last.json() as { code: string }).code, 'RATE_LIMITED');
    assert.match(String(last.headers['retry-after']), /^\d+$/);
  }
  await t.app.close();
});
