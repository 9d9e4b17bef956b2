import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decodeJwt } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import type { TestApp } from '../helpers/app.ts';
import { checkKek, ensureServerKey, listServerKeys, rewrapKek, rotateServerKey } from '../../src/storage/index.ts';
import { pruneTokenState } from '../../src/modules/tokens/service.ts';
import { ADMIN, issue, post, registerAgent, rejected, T0, tokenApp, verify } from './helpers.ts';

const kek = randomBytes(32);

interface Jwk {
  kid: string;
  status: string;
  alg: string;
  use: string;
  kty: string;
  crv: string;
}

async function jwks(t: TestApp): Promise<Jwk[]> {
  return ((await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as { keys: Jwk[] }).keys;
}

async function rotate(t: TestApp): Promise<{ kid: string; generation: number; retired: string[] }> {
  const res = await post(t, '/api/v1/admin/keys/rotate', {}, ADMIN);
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { kid: string; generation: number; retired: string[] };
}

eachEngine('rotateServerKey: generation n+1 active, the previous retired, one audit entry', async ({ open }) => {
  const storage = await open();
  const first = await ensureServerKey(storage, kek, 'tokens', 'ES256', T0);
  const { key, retired } = await rotateServerKey(storage, kek, 'tokens', 'ES256', T0 + 5, { actor: 'admin' });
  assert.equal(key.generation, 2);
  assert.equal(key.status, 'active');
  assert.deepEqual(retired, [first.kid]);
  const keys = await listServerKeys(storage, kek, 'tokens');
  assert.deepEqual(
    keys.map((k) => [k.generation, k.status, k.retiredAt]),
    [
      [2, 'active', null],
      [1, 'retired', T0 + 5],
    ],
  );
  assert.equal((await ensureServerKey(storage, kek, 'tokens', 'ES256', T0 + 6)).kid, key.kid);
  const audit = await storage.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', 'server_key.rotate')
    .execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.target, key.kid);
  // A purpose with no key yet starts at generation 1; another algorithm than the active key's is a conflict.
  assert.equal((await rotateServerKey(storage, kek, 'fresh', 'EdDSA', T0)).key.generation, 1);
  await assert.rejects(rotateServerKey(storage, kek, 'tokens', 'EdDSA', T0), { code: 'SERVER_KEY_CONFLICT' });
});

eachEngine('concurrent rotations from two processes never leave two active keys', async ({ open }) => {
  const [a, b] = await Promise.all([open(), open()]);
  await ensureServerKey(a, kek, 'tokens', 'ES256', T0);
  const results = await Promise.allSettled(
    Array.from({ length: 6 }, (_, i) => rotateServerKey(i % 2 === 0 ? a : b, kek, 'tokens', 'ES256', T0 + i)),
  );
  for (const r of results) {
    if (r.status === 'rejected') assert.equal((r.reason as { code: string }).code, 'SERVER_KEY_CONFLICT');
  }
  assert.ok(results.some((r) => r.status === 'fulfilled'));
  const keys = await listServerKeys(a, kek, 'tokens');
  assert.equal(keys.filter((k) => k.status === 'active').length, 1, 'exactly one active key');
  assert.equal(keys[0]!.status, 'active', 'the newest generation is the active one');
  const generations = keys.map((k) => k.generation);
  assert.equal(new Set(generations).size, generations.length);
  assert.equal(keys.length, 1 + results.filter((r) => r.status === 'fulfilled').length);
});

eachEngine(
  'a token signed before rotation verifies until its expiry; then its key leaves the JWKS',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const old = await issue(t, agent, { token_type: 'session', audience: 'shop', expires_in: '6h' });
    const oldKid = decodeJwt(old.token).header.kid!;
    assert.deepEqual(
      (await jwks(t)).map((k) => [k.kid, k.status]),
      [[oldKid, 'active']],
    );

    t.clock.advance(60_000);
    const rotated = await rotate(t);
    assert.deepEqual(rotated.retired, [oldKid]);
    assert.equal(rotated.generation, 2);
    const fresh = await issue(t, agent);
    assert.equal(decodeJwt(fresh.token).header.kid, rotated.kid, 'new tokens are signed by the new key');
    assert.deepEqual(
      (await jwks(t)).map((k) => [k.kid, k.status, k.alg, k.use, k.kty, k.crv]),
      [
        [rotated.kid, 'active', 'ES256', 'sig', 'EC', 'P-256'],
        [oldKid, 'retired', 'ES256', 'sig', 'EC', 'P-256'],
      ],
    );
    const discovery = (await t.app.inject({ method: 'GET', url: '/.well-known/agent-registry.json' })).json() as {
      active_kid: string;
      keys: Jwk[];
    };
    assert.equal(discovery.active_kid, rotated.kid);
    assert.equal(discovery.keys.length, 2);

    // The old token keeps verifying until exp (+ skew); the retired key stays published exactly as long.
    t.clock.set(old.exp * 1000 + 59_000);
    assert.equal((await verify(t, { token: old.token })).status, 200);
    assert.equal((await jwks(t)).length, 2);
    const listed = (await t.app.inject({ method: 'GET', url: '/api/v1/admin/keys', headers: ADMIN })).json() as {
      keys: Array<{ kid: string; status: string; published: boolean; drops_at: string | null; purpose: string }>;
    };
    const oldRow = listed.keys.find((k) => k.kid === oldKid)!;
    assert.equal(oldRow.status, 'retired');
    assert.equal(oldRow.published, true);
    assert.equal(oldRow.drops_at, new Date(old.exp * 1000 + 60_000).toISOString());

    t.clock.set(old.exp * 1000 + 60_000);
    await rejected(t, { token: old.token }, 'JWT_KID_UNKNOWN');
    assert.deepEqual(
      (await jwks(t)).map((k) => k.kid),
      [rotated.kid],
      'the retired key left the JWKS',
    );
    assert.equal((await verify(t, { token: fresh.token })).status, 200);

    // Housekeeping deletes the retired key row, with an audit entry.
    const { droppedKeys } = await pruneTokenState(t.ctx);
    assert.deepEqual(droppedKeys, [oldKid]);
    assert.deepEqual(
      (await listServerKeys(t.ctx.storage, t.kek, 'tokens')).map((k) => k.kid),
      [rotated.kid],
    );
    const audit = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/audit?action=server_key.drop',
      headers: ADMIN,
    });
    assert.equal((audit.json() as { entries: unknown[] }).entries.length, 1);
    await t.app.close();
  },
);

eachEngine('a retired key with no live token leaves the JWKS after the skew', async ({ open }) => {
  const t = await tokenApp(await open());
  const before = (await jwks(t))[0]!.kid;
  const rotated = await rotate(t);
  assert.deepEqual(
    (await jwks(t)).map((k) => k.kid),
    [rotated.kid, before],
  );
  t.clock.advance(60_000);
  assert.deepEqual(
    (await jwks(t)).map((k) => k.kid),
    [rotated.kid],
  );
  await t.app.close();
});

eachEngine(
  'another process picks up a rotation: unknown kids reload the keys, stale signers re-sign',
  async ({ open }) => {
    const a = await tokenApp(await open(), { env: { VOUCH_TOKEN_ISSUE_RATE_MAX: '1000' } });
    const b = await tokenApp(await open(), { clock: a.clock, kek: a.kek, env: { VOUCH_TOKEN_ISSUE_RATE_MAX: '1000' } });
    const agent = await registerAgent(a);
    const before = await issue(b, agent); // b has loaded (and cached) generation 1
    const firstJwks = await b.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    assert.equal(firstJwks.headers['cache-control'], 'no-cache');
    const etag = firstJwks.headers.etag as string;
    const same = await b.app.inject({
      method: 'GET',
      url: '/.well-known/jwks.json',
      headers: { 'if-none-match': etag },
    });
    assert.equal(same.statusCode, 304);
    const rotated = await rotate(a);
    // b's JWKS shows a's rotation at once (no waiting for its key cache to expire), under a new ETag.
    const after = await b.app.inject({
      method: 'GET',
      url: '/.well-known/jwks.json',
      headers: { 'if-none-match': etag },
    });
    assert.equal(after.statusCode, 200);
    assert.deepEqual(
      (after.json() as { keys: Jwk[] }).keys.map((k) => [k.kid, k.status]),
      [
        [rotated.kid, 'active'],
        [decodeJwt(before.token).header.kid, 'retired'],
      ],
    );
    a.clock.advance(1000);
    // b never heard of the new kid: it reloads once and verifies.
    assert.equal((await verify(b, { token: (await issue(a, agent)).token })).status, 200);
    // b signs with the new key although its cache still held the old one a moment ago.
    const c = await tokenApp(await open(), { clock: a.clock, kek: a.kek });
    await issue(c, agent); // c caches the current key...
    const again = await rotate(a); // ...which a rotation retires
    const fromC = await issue(c, agent);
    assert.equal(decodeJwt(fromC.token).header.kid, again.kid, 'the stale cache was detected under the key lock');
    assert.notEqual(again.kid, rotated.kid);
    assert.equal((await verify(b, { token: before.token })).status, 200);
    for (const app of [a, b, c]) await app.app.close();
  },
);

eachEngine(
  'issuance racing a rotation only signs with keys whose tokens are on record',
  async ({ open }) => {
    const env = { VOUCH_TOKEN_ISSUE_RATE_MAX: '1000' };
    const a = await tokenApp(await open(), { env });
    const b = await tokenApp(await open(), { clock: a.clock, kek: a.kek, env });
    const agent = await registerAgent(a);
    await issue(b, agent);
    const issued: string[] = [];
    const issuing = Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 8; i++) issued.push((await issue(b, agent)).token);
      }),
    );
    await rotate(a);
    await rotate(a);
    await issuing;
    const rows = await a.ctx.storage.db.selectFrom('issued_tokens').select(['jti', 'kid']).execute();
    const byJti = new Map(rows.map((r) => [r.jti, r.kid]));
    for (const token of issued) {
      const { header, claims } = decodeJwt(token);
      assert.equal(byJti.get(claims.jti as string), header.kid, 'every token is on record under its signing key');
      assert.equal((await verify(a, { token })).status, 200);
    }
    await a.app.close();
    await b.app.close();
  },
  { timeout: 60_000 },
);

eachEngine('key admin routes need the admin key and never rotate the pinned registry root', async ({ open }) => {
  const t = await tokenApp(await open());
  for (const [method, url] of [
    ['GET', '/api/v1/admin/keys'],
    ['POST', '/api/v1/admin/keys/rotate'],
  ] as const) {
    const res = await t.app.inject({ method, url, payload: method === 'POST' ? {} : undefined });
    assert.equal(res.statusCode, 401);
  }
  for (const purpose of ['registry-root', 'nonsense']) {
    const bad = await post(t, '/api/v1/admin/keys/rotate', { purpose }, ADMIN);
    assert.equal(bad.statusCode, 400, purpose);
    assert.equal(bad.json().code, 'VALIDATION_FAILED');
  }
  const listed = (await t.app.inject({ method: 'GET', url: '/api/v1/admin/keys', headers: ADMIN })).json() as {
    keys: Array<Record<string, unknown>>;
  };
  for (const k of listed.keys) {
    assert.deepEqual(Object.keys(k).sort(), [
      'alg',
      'created_at',
      'drops_at',
      'generation',
      'kid',
      'published',
      'purpose',
      'retired_at',
      'status',
    ]);
  }
  await t.app.close();
});

eachEngine(
  'a process left on a re-wrapped KEK answers rotate with 503 KEK_MISMATCH, logged, and seals nothing',
  async ({ open }) => {
    const storage = await open();
    const t = await tokenApp(storage, { env: { VOUCH_LOG_LEVEL: 'info' } });
    try {
      await checkKek(storage, t.kek, T0);
      const before = await listServerKeys(storage, t.kek);
      const newKek = randomBytes(32);
      await rewrapKek(storage, t.kek, newKek, T0); // vouch kek rewrap, while this app still runs on the old KEK
      const res = await post(t, '/api/v1/admin/keys/rotate', {}, ADMIN);
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().code, 'KEK_MISMATCH');
      assert.match(res.json().error, /restart/);
      assert.match(t.logs.text(), /key-encryption key replaced/);
      assert.deepEqual(
        (await listServerKeys(storage, newKek)).map((k) => k.kid),
        before.map((k) => k.kid),
      );
    } finally {
      await t.app.close();
    }
  },
);

eachEngine(
  'issuance whose signing key is rotated away under every retry answers 409 CONFLICT and records nothing',
  async ({ open }) => {
    const env = { VOUCH_TOKEN_ISSUE_RATE_MAX: '1000' };
    const a = await tokenApp(await open(), { env });
    const b = await tokenApp(await open(), { clock: a.clock, kek: a.kek, env });
    const agent = await registerAgent(a);
    await issue(b, agent); // b caches its signing key
    const before = await b.ctx.storage.db.selectFrom('issued_tokens').select('jti').execute();
    // Another process rotates just before each of b's transactions: b signed with a key retired meanwhile every time.
    let rotations = 0;
    const rotateFirst = async (): Promise<void> => {
      rotations++;
      await rotateServerKey(a.ctx.storage, a.kek, 'tokens', 'ES256', a.clock.now(), { actor: 'admin' });
      if (rotations < 4) beforeNextTransaction(b.ctx.storage.db, rotateFirst);
    };
    beforeNextTransaction(b.ctx.storage.db, rotateFirst);
    const res = await post(b, '/api/registry/issue', { agent_name: agent.did }, ADMIN);
    assert.equal(res.statusCode, 409, res.body);
    assert.equal(res.json().code, 'CONFLICT');
    assert.equal(rotations, 4);
    const after = await b.ctx.storage.db.selectFrom('issued_tokens').select('jti').execute();
    assert.equal(after.length, before.length, 'no token recorded');
    // With the rotations over, b signs with the current key at once.
    const fresh = await issue(b, agent);
    assert.equal(decodeJwt(fresh.token).header.kid, (await jwks(a)).find((k) => k.status === 'active')?.kid);
    await a.app.close();
    await b.app.close();
  },
);
