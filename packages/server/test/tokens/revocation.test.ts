import assert from 'node:assert/strict';
import { generateKeyPair, signJwt } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import {
  listRevocations,
  pruneTokenState,
  revokeToken,
  revokeTokensOfAgent,
} from '../../src/modules/tokens/service.ts';
import { ADMIN, createOwner, ISS, issue, post, registerAgent, rejected, T0, tokenApp, verify } from './helpers.ts';

interface Page {
  revoked: Array<{ jti: string; revoked_at: string; exp: number; reason: string | null }>;
  count: number;
  cursor: string;
  has_more: boolean;
}

async function revocations(t: TestApp, query = '', headers: Record<string, string> = {}) {
  const res = await t.app.inject({ method: 'GET', url: `/api/registry/revocations${query}`, headers });
  return {
    status: res.statusCode,
    etag: res.headers.etag as string | undefined,
    body: res.body,
    page: (res.statusCode === 200 ? res.json() : undefined) as Page,
  };
}

eachEngine('revoke by jti or by token, idempotently, by the admin or the owner', async ({ open }) => {
  const t = await tokenApp(await open());
  const alice = await createOwner(t, 'alice');
  const bob = await createOwner(t, 'bob');
  const agent = await registerAgent(t, { owner: alice });
  const a = await issue(t, agent);
  const b = await issue(t, agent);

  const first = await post(t, '/api/registry/revoke', { jti: a.jti, reason: 'key leaked' }, ADMIN);
  assert.equal(first.statusCode, 200, first.body);
  assert.deepEqual(first.json(), { revoked: true, jti: a.jti });
  const again = await post(t, '/api/registry/revoke', { jti: a.jti }, ADMIN);
  assert.deepEqual(again.json(), { revoked: true, jti: a.jti });

  // Bob is not the owner: 403 and nothing written; Alice may, by presenting the token itself.
  const before = await tableCounts(t.ctx.storage);
  const denied = await post(t, '/api/registry/revoke', { token: b.token }, bob.headers);
  assert.equal(denied.statusCode, 403);
  assert.equal((denied.json() as { code: string }).code, 'FORBIDDEN');
  assert.deepEqual(await tableCounts(t.ctx.storage), before);
  const byOwner = await post(t, '/api/registry/revoke', { token: b.token }, alice.headers);
  assert.deepEqual(byOwner.json(), { revoked: true, jti: b.jti });
  await rejected(t, { token: b.token }, 'TOKEN_REVOKED');

  const { page } = await revocations(t);
  assert.deepEqual(
    page.revoked.map((r) => [r.jti, r.reason, r.exp, r.revoked_at]),
    [
      [a.jti, 'key leaked', a.exp, new Date(T0).toISOString()],
      [b.jti, null, b.exp, new Date(T0).toISOString()],
    ],
  );
  // One audit entry per revocation that changed something; no token in the log.
  const audit = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit?action=token.revoke', headers: ADMIN });
  const entries = (audit.json() as { entries: Array<{ actor: string; target: string }> }).entries;
  assert.deepEqual(
    entries.map((e) => [e.actor, e.target]),
    [
      [`owner:${alice.ownerId}`, b.jti],
      ['admin', a.jti],
    ],
  );

  // Refusals: unknown jti, both or neither, someone else's token, no credentials.
  const foreign = await generateKeyPair('P-256');
  const alien = await signJwt({ iss: ISS, sub: agent.did, iat: 1, exp: 2, jti: 'x' }, foreign.privateKey, {
    kid: foreign.thumbprint,
    typ: 'agent-identity+jwt',
  });
  const cases: Array<[Record<string, unknown>, Record<string, string>, number, string]> = [
    [{ jti: 'no-such-jti' }, ADMIN, 404, 'NOT_FOUND'],
    [{}, ADMIN, 400, 'VALIDATION_FAILED'],
    [{ jti: a.jti, token: a.token }, ADMIN, 400, 'VALIDATION_FAILED'],
    [{ token: 'garbage' }, ADMIN, 400, 'JWT_MALFORMED'],
    [{ token: alien }, ADMIN, 400, 'JWT_KID_UNKNOWN'],
    [{ jti: a.jti }, {}, 401, 'UNAUTHORIZED'],
  ];
  const still = await tableCounts(t.ctx.storage);
  for (const [payload, headers, status, code] of cases) {
    const res = await post(t, '/api/registry/revoke', payload, headers);
    assert.equal(res.statusCode, status, `${JSON.stringify(payload)} ${res.body}`);
    assert.equal((res.json() as { code: string }).code, code);
  }
  assert.deepEqual(await tableCounts(t.ctx.storage), still);
  await t.app.close();
});

eachEngine(
  'the revocation list pages by cursor, answers 304 to its ETag, and accepts ISO-8601 since',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const tokens = [];
    for (let i = 0; i < 5; i++) tokens.push(await issue(t, agent));

    const empty = await revocations(t);
    assert.deepEqual(empty.page, { revoked: [], count: 0, cursor: '0', has_more: false });
    assert.equal((await revocations(t, '', { 'if-none-match': empty.etag! })).status, 304);

    for (const [i, tok] of tokens.entries()) {
      t.clock.set(T0 + i * 1000);
      await post(t, '/api/registry/revoke', { jti: tok.jti }, ADMIN);
    }
    const p1 = await revocations(t, '?limit=2');
    assert.equal(p1.page.count, 2);
    assert.equal(p1.page.has_more, true);
    assert.deepEqual(
      p1.page.revoked.map((r) => r.jti),
      [tokens[0]!.jti, tokens[1]!.jti],
    );
    const p2 = await revocations(t, `?limit=2&since=${p1.page.cursor}`);
    assert.deepEqual(
      p2.page.revoked.map((r) => r.jti),
      [tokens[2]!.jti, tokens[3]!.jti],
    );
    assert.ok(Number(p2.page.cursor) > Number(p1.page.cursor), 'cursors increase');
    const p3 = await revocations(t, `?limit=2&since=${p2.page.cursor}`);
    assert.deepEqual(
      p3.page.revoked.map((r) => r.jti),
      [tokens[4]!.jti],
    );
    assert.equal(p3.page.has_more, false);

    // Nothing new: same content, same ETag, and 304 for If-None-Match (also in a list, or weak).
    const tail = await revocations(t, `?since=${p3.page.cursor}`);
    assert.deepEqual(tail.page, { revoked: [], count: 0, cursor: p3.page.cursor, has_more: false });
    const tail2 = await revocations(t, `?since=${p3.page.cursor}`);
    assert.equal(tail2.etag, tail.etag);
    for (const inm of [tail.etag!, `"other", ${tail.etag}`, `W/${tail.etag}`]) {
      const r = await revocations(t, `?since=${p3.page.cursor}`, { 'if-none-match': inm });
      assert.equal(r.status, 304, inm);
      assert.equal(r.body, '');
    }
    assert.equal((await revocations(t, `?since=${p3.page.cursor}`, { 'if-none-match': '"stale"' })).status, 200);
    // A new revocation changes the content and the ETag.
    const more = await issue(t, agent);
    await post(t, '/api/registry/revoke', { jti: more.jti }, ADMIN);
    const changed = await revocations(t, `?since=${p3.page.cursor}`, { 'if-none-match': tail.etag! });
    assert.equal(changed.status, 200);
    assert.deepEqual(
      changed.page.revoked.map((r) => r.jti),
      [more.jti],
    );

    // ISO-8601 since: revoked strictly after that time.
    const iso = await revocations(t, `?since=${encodeURIComponent(new Date(T0 + 2500).toISOString())}`);
    assert.deepEqual(
      iso.page.revoked.map((r) => r.jti),
      [tokens[3]!.jti, tokens[4]!.jti, more.jti],
    );
    const isoEmpty = await revocations(t, '?since=2100-01-01T00:00:00Z');
    assert.equal(isoEmpty.page.count, 0);
    assert.equal(isoEmpty.page.cursor, changed.page.cursor, 'an empty ISO page still gives a cursor to continue from');

    for (const bad of ['yesterday', '-1', '1e5', '2026-13-45T00:00:00Z', 'x'.repeat(65)]) {
      const r = await revocations(t, `?since=${encodeURIComponent(bad)}`);
      assert.equal(r.status, 400, bad);
      assert.equal((JSON.parse(r.body) as { code: string }).code, 'VALIDATION_FAILED');
    }
    await t.app.close();
  },
);

eachEngine('revocations past their token expiry leave the list and are pruned', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const short = await issue(t, agent, { token_type: 'session', audience: 'a', nonce: 'n' });
  const long = await issue(t, agent);
  await verify(t, { token: short.token }, ADMIN); // consumes the nonce: a token_nonces row
  for (const tok of [short, long]) await post(t, '/api/registry/revoke', { jti: tok.jti }, ADMIN);
  assert.equal((await revocations(t)).page.count, 2);

  // A token passes until exp + skew by its verifier's own clock, which may lag this one's by the skew: its
  // revocation stays listed (for offline verifiers) and kept (for other processes) until exp + twice the skew.
  t.clock.set(short.exp * 1000 + 119_999);
  assert.equal((await revocations(t)).page.count, 2);
  assert.equal((await pruneTokenState(t.ctx)).deleted.token_revocations, 0);
  t.clock.advance(1);
  assert.deepEqual(
    (await revocations(t)).page.revoked.map((r) => r.jti),
    [long.jti],
  );
  const before = await tableCounts(t.ctx.storage);
  const { deleted } = await pruneTokenState(t.ctx);
  assert.deepEqual(deleted, { token_revocations: 1, token_nonces: 1, issued_tokens: 1, token_issue_proofs: 0 });
  const after = await tableCounts(t.ctx.storage);
  assert.equal(after.token_revocations, before.token_revocations! - 1);
  assert.equal(after.issued_tokens, before.issued_tokens! - 1);
  await t.app.close();
});

eachEngine(
  'revokeTokensOfAgent revokes every token of an agent a verifier could accept, in the caller transaction',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const other = await registerAgent(t);
    // Expired 10 min before the revocation: past twice the 60 s skew, no verifier accepts it.
    const old = await issue(t, agent, { expires_in: '1h' });
    t.clock.advance(70 * 60_000);
    // Expired 90 s before the revocation: within the skew of a verifier whose clock lags by the skew, so listed.
    const justExpired = await issue(t, agent, { expires_in: '1h' });
    t.clock.advance(1); // listed in the order issued
    const mine = [await issue(t, agent), await issue(t, agent, { token_type: 'session', audience: 'x' })];
    const theirs = await issue(t, other);
    await post(t, '/api/registry/revoke', { jti: mine[0]!.jti }, ADMIN);
    t.clock.advance(3600_000 + 90_000);
    const revoked = await t.ctx.storage.db
      .transaction()
      .execute((trx) => revokeTokensOfAgent(t.ctx, trx, agent.did, { at: t.clock.now(), actor: 'admin' }));
    assert.deepEqual(revoked, [justExpired.jti, mine[1]!.jti], 'already revoked and long expired tokens are skipped');
    assert.ok(!revoked.includes(old.jti));
    const page = (await revocations(t)).page;
    assert.deepEqual(
      page.revoked.map((r) => [r.jti, r.reason]),
      [
        [mine[0]!.jti, null],
        [justExpired.jti, 'agent revoked'],
        [mine[1]!.jti, 'agent revoked'],
      ],
    );
    assert.equal((await verify(t, { token: theirs.token })).status, 200);
    await t.app.close();
  },
);

eachEngine(
  'concurrent revocations from two connections all reach a poller that pages by cursor',
  async ({ open, engine }) => {
    const t = await tokenApp(await open(), { env: { VOUCH_TOKEN_ISSUE_RATE_MAX: '1000' } });
    // PostgreSQL: a second server process on the same database, with its own pool of connections. SQLite allows one
    // writer per file, and one process's synchronous driver cannot wait on another in-process connection, so there
    // the overlapping revocations share one connection (Kysely queues their transactions).
    const u = engine === 'postgres' ? await tokenApp(await open(), { clock: t.clock, kek: t.kek }) : t;
    const agent = await registerAgent(t);
    const all: string[] = [];
    for (let i = 0; i < 80; i++) all.push((await issue(t, agent)).jti);

    const seen = new Set<string>();
    const cursors: number[] = [];
    let cursor = '0';
    let revoking = true;
    const poll = async () => {
      const page = (await listRevocations(t.ctx, { since: cursor, limit: 7 })).body;
      for (const r of page.revoked) {
        assert.ok(!seen.has(r.jti), `delivered once: ${r.jti}`);
        seen.add(r.jti);
      }
      assert.ok(Number(page.cursor) >= Number(cursor), 'the cursor never goes back');
      cursor = page.cursor;
      cursors.push(Number(cursor));
      return page.has_more;
    };
    const poller = (async () => {
      while (revoking) await poll();
      while (await poll());
    })();
    const revoker = async (app: TestApp, jtis: string[]) => {
      // Several revocations in flight per process, so their transactions overlap.
      await Promise.all(
        [0, 1, 2, 3].map(async (lane) => {
          for (let i = lane; i < jtis.length; i += 4) {
            await revokeToken(app.ctx, { caller: 'admin', id: 'admin' }, { jti: jtis[i]! });
          }
        }),
      );
    };
    try {
      await Promise.all([
        revoker(
          t,
          all.filter((_, i) => i % 2 === 0),
        ),
        revoker(
          u,
          all.filter((_, i) => i % 2 === 1),
        ),
      ]);
    } finally {
      revoking = false;
      await poller;
    }
    assert.equal(seen.size, all.length, `the poller saw ${seen.size} of ${all.length}`);
    assert.deepEqual([...seen].sort(), [...all].sort());
    const seqs = await t.ctx.storage.db.selectFrom('token_revocations').select('seq').orderBy('seq').execute();
    assert.deepEqual(
      seqs.map((r) => Number(r.seq)),
      Array.from({ length: all.length }, (_, i) => i + 1),
      'sequence numbers are dense: one per revocation, none lost',
    );
    await t.app.close();
    if (u !== t) await u.app.close();
  },
  { timeout: 60_000 },
);

eachEngine(
  'a cursor ahead of the counter (a restored database) starts the list over instead of hiding it',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const a = await issue(t, agent);
    const b = await issue(t, agent);
    for (const tok of [a, b]) await post(t, '/api/registry/revoke', { jti: tok.jti }, ADMIN);
    const all = (await revocations(t)).page;
    // A poller that read this list before the database was restored from an older backup holds a larger cursor.
    const ahead = (await revocations(t, `?since=${Number(all.cursor) + 1000}`)).page;
    assert.deepEqual(
      ahead.revoked.map((r) => r.jti),
      [a.jti, b.jti],
    );
    assert.equal(ahead.cursor, all.cursor);
    // From the cursor it was handed, it sees the next revocation.
    const c = await issue(t, agent);
    await post(t, '/api/registry/revoke', { jti: c.jti }, ADMIN);
    const next = (await revocations(t, `?since=${ahead.cursor}`)).page;
    assert.deepEqual(
      next.revoked.map((r) => r.jti),
      [c.jti],
    );
    // A cursor at the counter is not ahead of it: an empty page, the same cursor.
    const atEnd = (await revocations(t, `?since=${next.cursor}`)).page;
    assert.equal(atEnd.count, 0);
    assert.equal(atEnd.cursor, next.cursor);
    await t.app.close();
  },
);

eachEngine(
  'a cursor ahead of a counter that never moved (restored to a database without revocations) starts at 0',
  async ({ open }) => {
    const t = await tokenApp(await open());
    // The poller read one revocation before the restore; the database it now reads has none.
    const ahead = (await revocations(t, '?since=1')).page;
    assert.deepEqual(ahead, { revoked: [], count: 0, cursor: '0', has_more: false });
    // From the cursor it was handed, it sees the first revocation made since, which takes number 1.
    const agent = await registerAgent(t);
    const a = await issue(t, agent);
    await post(t, '/api/registry/revoke', { jti: a.jti }, ADMIN);
    const next = (await revocations(t, `?since=${ahead.cursor}`)).page;
    assert.deepEqual(
      next.revoked.map((r) => r.jti),
      [a.jti],
    );
    assert.equal(next.cursor, '1');
    await t.app.close();
  },
);
