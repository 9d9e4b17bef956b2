// Two server processes (two apps on two Storages of one database, one KEK) racing on the tokens module's single-use
// and once-only writes: an agent's issuance proof, a token's revocation, key rotations and the retired-key drop.
// PostgreSQL is where the requests really overlap; SQLite runs the same checks with its writers taking turns.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { listAudit, listServerKeys } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { pruneTokenState } from '../../src/modules/tokens/service.ts';
import { ADMIN, issue, post, proofBody, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

const env = { VOUCH_TOKEN_ISSUE_RATE_MAX: '1000', VOUCH_TOKEN_REVOKE_RATE_MAX: '1000' };

async function twoProcesses(open: () => Promise<Storage>): Promise<[TestApp, TestApp]> {
  const a = await tokenApp(await open(), { env });
  const b = await tokenApp(await open(), { env, clock: a.clock, kek: a.kek });
  return [a, b];
}

eachEngine('one agent proof sent to two processes at once issues one token', async ({ open }) => {
  const [a, b] = await twoProcesses(open);
  const agent = await registerAgent(a);
  const before = await tableCounts(a.ctx.storage);
  const body = await proofBody(a, agent, 'session', 'shop.example');
  const results = await Promise.all([a, b, a, b].map((app) => post(app, '/api/registry/issue', body)));
  assert.deepEqual(
    results.map((r) => r.statusCode).sort(),
    [201, 409, 409, 409],
    results.map((r) => r.body).join('\n'),
  );
  for (const r of results.filter((r) => r.statusCode === 409)) {
    assert.equal((r.json() as { code: string }).code, 'PROOF_REPLAYED');
  }
  const after = await tableCounts(a.ctx.storage);
  assert.equal(after.issued_tokens, before.issued_tokens! + 1, 'one token recorded');
  assert.equal(after.token_issue_proofs, before.token_issue_proofs! + 1, 'one proof spent');
  await a.app.close();
  await b.app.close();
});

eachEngine('one token revoked at two processes at once: one revocation, one audit entry', async ({ open }) => {
  const [a, b] = await twoProcesses(open);
  const agent = await registerAgent(a);
  const token = await issue(a, agent);
  const results = await Promise.all(
    [a, b, a, b].map((app, i) =>
      post(app, '/api/registry/revoke', i % 2 === 0 ? { jti: token.jti } : { token: token.token }, ADMIN),
    ),
  );
  for (const r of results) {
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json(), { revoked: true, jti: token.jti });
  }
  const rows = await a.ctx.storage.db.selectFrom('token_revocations').select(['jti', 'seq']).execute();
  assert.deepEqual(
    rows.map((r) => [r.jti, Number(r.seq)]),
    [[token.jti, 1]],
  );
  assert.equal((await listAudit(a.ctx.storage.db, { action: 'token.revoke' })).length, 1);
  await rejected(b, { token: token.token }, 'TOKEN_REVOKED');
  await a.app.close();
  await b.app.close();
});

eachEngine(
  'a compromised and a routine rotation at two processes at once: 201 or 409, one active key, drops audited',
  async ({ open }) => {
    const [a, b] = await twoProcesses(open);
    const agent = await registerAgent(a);
    const old = await issue(a, agent);
    await issue(b, agent);
    const results = await Promise.all([
      post(a, '/api/v1/admin/keys/rotate', { compromised: true }, ADMIN),
      post(b, '/api/v1/admin/keys/rotate', {}, ADMIN),
      post(b, '/api/v1/admin/keys/rotate', { compromised: true }, ADMIN),
      post(a, '/api/v1/admin/keys/rotate', {}, ADMIN),
    ]);
    for (const r of results) {
      assert.ok(r.statusCode === 201 || r.statusCode === 409, `${r.statusCode} ${r.body}`);
      if (r.statusCode === 409) assert.equal((r.json() as { code: string }).code, 'CONFLICT');
    }
    const won = results.filter((r) => r.statusCode === 201).map((r) => r.json() as { kid: string; dropped: string[] });
    assert.ok(won.length >= 1);
    const keys = await listServerKeys(a.ctx.storage, a.kek, 'tokens');
    assert.equal(keys.filter((k) => k.status === 'active').length, 1, 'exactly one active key');
    assert.equal(
      keys.length,
      1 + won.length - won.reduce((n, w) => n + w.dropped.length, 0),
      'every key accounted for',
    );
    // If a compromised rotation won, the key that signed `old` is gone in every process once it reloads.
    if (won.some((w) => w.dropped.length > 0)) {
      a.clock.advance(10_001);
      for (const app of [a, b]) await rejected(app, { token: old.token }, 'JWT_KID_UNKNOWN');
    }
    for (const app of [a, b]) assert.equal((await verify(app, { token: (await issue(app, agent)).token })).status, 200);
    await a.app.close();
    await b.app.close();
  },
);

eachEngine('housekeeping at two processes at once drops a retired key once, audited once', async ({ open }) => {
  const [a, b] = await twoProcesses(open);
  const agent = await registerAgent(a);
  const old = await issue(a, agent, { expires_in: '1h' });
  a.clock.advance(60_000);
  const rotated = await post(a, '/api/v1/admin/keys/rotate', {}, ADMIN);
  assert.equal(rotated.statusCode, 201, rotated.body);
  const { retired } = rotated.json() as { retired: string[] };
  a.clock.set(old.exp * 1000 + 60_000);
  const results = await Promise.all([pruneTokenState(a.ctx), pruneTokenState(b.ctx), pruneTokenState(a.ctx)]);
  assert.deepEqual(
    results.flatMap((r) => r.droppedKeys),
    retired,
    'dropped by exactly one of them',
  );
  assert.equal((await listAudit(a.ctx.storage.db, { action: 'server_key.drop' })).length, 1);
  assert.deepEqual(
    (await listServerKeys(a.ctx.storage, a.kek, 'tokens')).map((k) => k.status),
    ['active'],
  );
  await a.app.close();
  await b.app.close();
});
