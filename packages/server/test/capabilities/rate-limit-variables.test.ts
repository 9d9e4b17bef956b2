// The capability routes that take a route-specific rate limit (issue, delegate, revoke) are named in the meaning of
// the variable that sets it, as the README's configuration table and `vouch` print it: VOUCH_TOKEN_ISSUE_RATE_MAX and
// VOUCH_TOKEN_REVOKE_RATE_MAX named only the AIP token routes, so an operator who lowered them for AIP tokens
// throttled capability issuance, delegation and revocation without being told, and one answered 429 there could not
// tell which variable to raise.
import assert from 'node:assert/strict';
import { CONFIG_VARIABLES } from '../../src/config.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

const LIMITS = { VOUCH_TOKEN_ISSUE_RATE_MAX: '7', VOUCH_TOKEN_REVOKE_RATE_MAX: '9' };
const ROUTES = ['/v1/tokens', '/v1/tokens/delegate', '/v1/tokens/revoke'];

eachEngine('each capability route limited by a variable is named in the meaning of that variable', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage, { env: { VOUCH_LOG_LEVEL: 'silent', ...LIMITS } });
  try {
    for (const route of ROUTES) {
      // Refused (400) by its schema, but counted first: the answer carries the route's limit.
      const res = await app.app.inject({ method: 'POST', url: route, payload: {} });
      assert.equal(res.statusCode, 400, res.body);
      const limit = String(res.headers['x-ratelimit-limit']);
      const name = Object.entries(LIMITS).find(([, v]) => v === limit)?.[0];
      assert.ok(name !== undefined, `${route}: limited by ${limit}, not by one of ${JSON.stringify(LIMITS)}`);
      const meaning = CONFIG_VARIABLES.find((v) => v.name === name)!.meaning;
      assert.ok(meaning.includes(`\`POST ${route}\``), `${name} names POST ${route}: ${meaning}`);
    }
  } finally {
    await app.app.close();
  }
});
