// Management tokens that authenticated lately are counted in a bucket of their agent (`@management-token:<did>`), not
// in their address's, as owner and integrator keys are (rate-limit-key-buckets.test.ts): counted by address alone,
// whoever shared a manager's address could spend its allowance with junk tokens and lock it out. The cache never
// authenticates, so a token revoked anywhere is refused even while a process still holds it; one revoked in this
// process (the tokens replaced, the agent's key rotated, the agent revoked) is forgotten at once, and in the others as
// its announcement arrives (PostgreSQL LISTEN/NOTIFY), else at its first refusal.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, twoProcesses } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { admin, bearer, newPair, registerSlug, rotateKey } from '../agents/helpers.ts';
import { listenerHears } from '../helpers/listening.ts';
import { BOUND_MS, within } from '../helpers/within.ts';
import { recentKeysOf } from '../../src/http/recent-keys.ts';
import { hashSecret } from '../../src/http/secrets.ts';

const ADDRESS = '203.0.113.9';
const OTHER_ADDRESS = '198.51.100.4';
const SLUG = 'acme-bot';
const ENV = {
  VOUCH_PUBLIC_URL: 'https://vouch.test',
  VOUCH_POW_DIFFICULTY: '0',
  VOUCH_LOG_LEVEL: 'silent',
  VOUCH_RATE_LIMIT_MAX: '3',
};

const junk = (i: number): string => `vouch_mgmt_junk${i}0123456789abcdefghijklmnopqrstuvwxyz`;

/** Takes the agent's own slug again with `token` (200, changes nothing): a route limited to 3 a minute. */
function call(t: TestApp, token: string, address = ADDRESS): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'PUT',
    url: `/api/v1/agents/${SLUG}/slug`,
    remoteAddress: address,
    headers: bearer(token),
    payload: { slug: SLUG },
  });
}

/** The admin replaces the agent's management tokens through `t`, answering the new one. */
async function replaceTokens(t: TestApp): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/agents/${SLUG}/rotate-management-token`,
    headers: admin,
  });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { managementToken: string }).managementToken;
}

/** Spends ADDRESS's allowance with junk tokens: `n` refused with 401, then one with 429. */
async function exhaust(t: TestApp, n: number): Promise<void> {
  const codes: number[] = [];
  for (let i = 0; i <= n; i++) codes.push((await call(t, junk(i))).statusCode);
  assert.deepEqual(codes, [...Array<number>(n).fill(401), 429], 'junk tokens are limited per address');
}

eachEngine('junk tokens from a manager’s address do not lock the agent’s manager out', async ({ open }) => {
  const t = await makeApp(await open(), { env: ENV });
  try {
    const token = (await registerSlug(t.app, SLUG)).managementToken;
    // Its first use is counted per address (nothing knows the token yet) and makes it known.
    assert.equal((await call(t, token)).statusCode, 200);
    await exhaust(t, 2);

    const own = await call(t, token);
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.headers['x-ratelimit-remaining'], '2', 'the agent’s own bucket');
    // Limited all the same, at the route's limit, from any address; junk from elsewhere spends none of it.
    assert.equal((await call(t, token, OTHER_ADDRESS)).statusCode, 200);
    assert.equal((await call(t, junk(99), OTHER_ADDRESS)).statusCode, 401);
    assert.equal((await call(t, token)).statusCode, 200);
    const limited = await call(t, token, OTHER_ADDRESS);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, 'RATE_LIMITED');
    // The address's allowance is still spent; both come back when the window ends.
    assert.equal((await call(t, junk(100))).statusCode, 429);
    t.clock.advance(60_000);
    assert.equal((await call(t, token)).statusCode, 200);
  } finally {
    await t.app.close();
  }
});

eachEngine('a management token replaced in this process is refused and forgotten', async ({ open }) => {
  const t = await makeApp(await open(), { env: ENV });
  try {
    const old = (await registerSlug(t.app, SLUG)).managementToken;
    assert.equal((await call(t, old)).statusCode, 200);
    const fresh = await replaceTokens(t);

    const refused = await call(t, old);
    assert.equal(refused.statusCode, 401, refused.body);
    assert.equal(refused.headers['x-ratelimit-remaining'], '1', 'forgotten: counted per address');
    await exhaust(t, 1);
    assert.equal((await call(t, old)).statusCode, 429, 'the old token spends the address’s allowance');
    // The replacement made the new token known: it has the agent's bucket from its first use.
    const own = await call(t, fresh);
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.headers['x-ratelimit-remaining'], '2');
  } finally {
    await t.app.close();
  }
});

eachEngine('an agent’s key rotation forgets its management tokens and holds the new one', async ({ open }) => {
  const t = await makeApp(await open(), { env: ENV });
  try {
    const pair = await newPair();
    const agent = await registerSlug(t.app, SLUG, { public_key_pem: pair.publicKeyBase64 });
    assert.equal((await call(t, agent.managementToken)).statusCode, 200);
    const rotated = await rotateKey(t.app, agent.did, pair, await newPair(), t.clock.now());
    assert.equal(rotated.statusCode, 200, rotated.body);
    const fresh = (rotated.json() as { managementToken: string }).managementToken;

    const refused = await call(t, agent.managementToken);
    assert.equal(refused.statusCode, 401, refused.body);
    assert.equal(refused.headers['x-ratelimit-remaining'], '1', 'forgotten: counted per address');
    await exhaust(t, 1);
    const own = await call(t, fresh);
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.headers['x-ratelimit-remaining'], '2');
  } finally {
    await t.app.close();
  }
});

eachEngine('an agent revoked in this process has its management tokens forgotten', async ({ open }) => {
  const t = await makeApp(await open(), { env: ENV });
  try {
    const agent = await registerSlug(t.app, SLUG);
    const token = agent.managementToken;
    assert.equal((await call(t, token)).statusCode, 200); // per address: 2 left there
    assert.equal((await call(t, token)).headers['x-ratelimit-remaining'], '2', 'the agent’s own bucket');
    assert.equal((await call(t, token)).headers['x-ratelimit-remaining'], '1');
    const revoked = await t.app.inject({ method: 'POST', url: `/api/v1/agents/${agent.did}/revoke`, headers: admin });
    assert.equal(revoked.statusCode, 200, revoked.body);

    const refused = await call(t, token);
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().code, 'AGENT_REVOKED');
    assert.equal(refused.headers['x-ratelimit-remaining'], '1', 'forgotten: counted per address');
  } finally {
    await t.app.close();
  }
});

/** Whether `t` holds `token` among its recently authenticated management tokens (which counts as a use of it). */
function knows(t: TestApp, token: string): boolean {
  return recentKeysOf(t.ctx).managementToken.idOf(hashSecret(token)) !== undefined;
}

/**
 * Runs `change` at A once B knows `token` (PostgreSQL: and B's listener hears), then waits for B to forget the token as
 * A's announcement arrives (PostgreSQL; SQLite runs one process per database and announces nothing). The announcement
 * names the agent, never the token or its digest.
 */
async function changedAtA(engine: string, b: TestApp, token: string, change: () => Promise<void>): Promise<void> {
  assert.ok(knows(b, token), 'B knows the token');
  if (engine === 'postgres') await listenerHears(b.ctx.storage);
  const heard: string[] = [];
  const off = b.ctx.storage.changes.subscribe((topic) => heard.push(topic));
  try {
    await change();
    if (engine !== 'postgres') return;
    await within(BOUND_MS, 'B forgets the token', async () => !knows(b, token));
    assert.ok(heard.length > 0 && !heard.some((t) => t.includes(token) || t.includes(hashSecret(token))), `${heard}`);
  } finally {
    off();
  }
}

eachEngine('a management token replaced by another process: forgotten here as announced', async ({ open, engine }) => {
  const { a, b } = await twoProcesses(open, ENV);
  try {
    const old = (await registerSlug(a.app, SLUG)).managementToken;
    assert.equal((await call(b, old)).statusCode, 200); // B knows it now (per address: 2 left)
    await changedAtA(engine, b, old, async () => void (await replaceTokens(a)));

    const refused = await call(b, old);
    assert.equal(refused.statusCode, 401, refused.body);
    if (engine === 'postgres') {
      assert.equal(refused.headers['x-ratelimit-remaining'], '1', 'forgotten: counted per address');
      await exhaust(b, 1);
    } else {
      // Unannounced, B still knows the old token, so counts it in the agent's bucket; authentication refuses it all
      // the same, and the refusal makes B forget it: from then on it is counted per address like any junk token.
      assert.equal(refused.headers['x-ratelimit-remaining'], '2', 'counted in the agent’s bucket');
      await exhaust(b, 2);
    }
    assert.equal((await call(b, old)).statusCode, 429);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});

eachEngine('an agent revoked by another process has its management tokens forgotten here', async ({ open, engine }) => {
  const { a, b } = await twoProcesses(open, ENV);
  try {
    const agent = await registerSlug(a.app, SLUG);
    const token = agent.managementToken;
    assert.equal((await call(b, token)).statusCode, 200); // per address: 2 left there
    assert.equal((await call(b, token)).headers['x-ratelimit-remaining'], '2', 'the agent’s own bucket');
    assert.equal((await call(b, token)).headers['x-ratelimit-remaining'], '1');
    await changedAtA(engine, b, token, async () => {
      const res = await a.app.inject({ method: 'POST', url: `/api/v1/agents/${agent.did}/revoke`, headers: admin });
      assert.equal(res.statusCode, 200, res.body);
    });

    const refused = await call(b, token);
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().code, 'AGENT_REVOKED');
    // PostgreSQL: forgotten, counted per address (1 left there); SQLite: unannounced, still in the agent's bucket.
    const [remaining, where] = engine === 'postgres' ? ['1', 'per address'] : ['0', 'in the agent’s bucket'];
    assert.equal(refused.headers['x-ratelimit-remaining'], remaining, `counted ${where}`);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});

eachEngine('an agent’s management bucket is shared by every process on one database', async ({ open, engine }) => {
  const { a, b } = await twoProcesses(open, ENV);
  try {
    const token = (await registerSlug(a.app, SLUG)).managementToken;
    // Each process learns the token from an authentication of its own (counted per address).
    assert.equal((await call(a, token)).statusCode, 200);
    assert.equal((await call(b, token, OTHER_ADDRESS)).statusCode, 200);
    for (let i = 0; i < 3; i++) assert.equal((await call(a, token)).statusCode, 200, `call #${i + 1}`);
    assert.equal((await call(a, token)).statusCode, 429);
    // SQLite runs one process per database (in-memory limits); PostgreSQL shares them.
    const fourth = await call(b, token, OTHER_ADDRESS);
    assert.equal(fourth.statusCode, engine === 'postgres' ? 429 : 200, fourth.body);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
