// U+0000 in a value that reaches the database: SQLite stores and compares it, PostgreSQL's text refuses it (22021).
// Every such value must be refused by the route's schema, so both engines give the same 400 and write nothing,
// never a 404 or 200 on SQLite and a 500 on PostgreSQL.
import assert from 'node:assert/strict';
import { tableCounts } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, issue, post, registerAgent, tokenApp } from '../tokens/helpers.ts';

eachEngine('a NUL in a token id, a revocation reason or an audit filter is a 400 on both engines', async ({ open }) => {
  const storage = await open();
  const t = await tokenApp(storage);
  try {
    const agent = await registerAgent(t);
    const { jti } = await issue(t, agent);
    const capability = await post(
      t,
      '/v1/tokens',
      { agentId: 'agent-x', resource: 'files:report', action: 'read', tier: 'standard', expiresIn: 600 },
      ADMIN,
    );
    assert.equal(capability.statusCode, 201, capability.body);
    const { tokenId } = capability.json() as { tokenId: string };

    const refusals: Array<[url: string, body: unknown, headers: Record<string, string>, field: string]> = [
      // Public: anyone can send it.
      ['/v1/tokens/revoke', { tokenId: 'a\u0000b' }, {}, 'body.tokenId'],
      ['/v1/tokens/revoke', { tokenId: 'a\u0000b' }, ADMIN, 'body.tokenId'],
      ['/v1/tokens/revoke', { tokenId, reason: 'leaked\u0000' }, ADMIN, 'body.reason'],
      ['/api/registry/revoke', { jti: `${jti}\u0000` }, ADMIN, 'body.jti'],
      ['/api/registry/revoke', { jti, reason: 'leaked\u0000' }, ADMIN, 'body.reason'],
    ];
    const before = await tableCounts(storage);
    for (const [url, body, headers, field] of refusals) {
      const res = await post(t, url, body, headers);
      const what = `${url} ${JSON.stringify(body)}: ${res.statusCode} ${res.body}`;
      assert.equal(res.statusCode, 400, what);
      assert.deepEqual({ code: res.json().code, field: res.json().field }, { code: 'VALIDATION_FAILED', field }, what);
    }
    const audit = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit?action=a%00b', headers: ADMIN });
    assert.equal(audit.statusCode, 400, audit.body);
    assert.equal(audit.json().field, 'querystring.action');
    assert.deepEqual(await tableCounts(storage), before);

    // The same tokens revoke as before, without the NUL.
    const revoked = await post(t, '/v1/tokens/revoke', { tokenId, reason: 'leaked' }, ADMIN);
    assert.equal(revoked.statusCode, 200, revoked.body);
    const aip = await post(t, '/api/registry/revoke', { jti, reason: 'leaked' }, ADMIN);
    assert.equal(aip.statusCode, 200, aip.body);
    const listed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/audit?action=token.revoke',
      headers: ADMIN,
    });
    assert.equal(listed.statusCode, 200, listed.body);
  } finally {
    await t.app.close();
  }
});
