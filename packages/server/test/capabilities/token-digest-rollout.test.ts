// Migration 0020 is additive, so that a rolling upgrade on PostgreSQL never answers 5xx: `capability_tokens.token`
// stays (nullable, emptied), `token_sha256` is nullable. An instance of the previous version still running writes
// the text and no digest, and reads by the text:
// - the upgraded gateway accepts such a row by its text (root tokens take the prepared statement, delegated ones the
//   other path), and delegates from it;
// - its housekeeping replaces that text by the digest (pruneCapabilityState), and the token stays accepted;
// - the older version's own statements still run on the migrated schema: its insert (no `token_sha256`) succeeds,
//   and its recorded check finds no row for a token the upgraded gateway issued (TOKEN_UNKNOWN there, not a 500).
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { decodeCapabilityToken, parsePrivateKey, sha256HexSync, signCapabilityToken } from '@vouch/sdk';
import { listServerKeys } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { pruneCapabilityState } from '../../src/modules/capabilities/service.ts';
import { scrubTokenText } from '../../src/modules/capabilities/store.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, type TestApp } from '../helpers/app.ts';
import { admin, post } from '../registry/fixtures.ts';
import { boundToken, genesis, intercept, issue } from './helpers.ts';

const X = 'agent:my-assistant:v1';

const jtiOf = (token: string) => decodeCapabilityToken(token).claims.jti;
const codeOf = async (app: TestApp, token: string) => (await intercept(app.app, token, X)).code ?? 'allow';

/** The row the previous version (migration 0019) inserts for a token: its text, in 0019's columns only. */
type OlderRow = {
  jti: string;
  token: string;
  agent_id: string;
  issuer_id: string | null;
  parent_jti: string | null;
  depth: number;
  cnf_jwk: string | null;
  issued_by: string;
  issued_at: number;
  expires_at: number;
  vouch_agent_id: string | null;
};

/** The previous version's insertToken, as it ran: `insertInto('capability_tokens').values(row)`. */
async function olderInsert(storage: Storage, row: OlderRow): Promise<void> {
  await storage.db.insertInto('capability_tokens').values(row).execute();
}

/** The previous version's recorded check: the row found by primary key holds the presented text. */
async function olderRecorded(storage: Storage, jti: string, token: string): Promise<boolean> {
  const row = await storage.db
    .selectNoFrom((eb) => [
      eb
        .exists(eb.selectFrom('capability_tokens').select('jti').where('jti', '=', jti).where('token', '=', token))
        .as('recorded'),
    ])
    .executeTakeFirstOrThrow();
  return Boolean(row.recorded);
}

/** Rewrites the record of `token` (issued by the upgraded gateway) as the previous version would have written it. */
async function asOlderInstanceWrote(storage: Storage, token: string): Promise<void> {
  const jti = jtiOf(token);
  const {
    token: _text,
    token_sha256: _digest,
    ...rest
  } = await storage.db.selectFrom('capability_tokens').selectAll().where('jti', '=', jti).executeTakeFirstOrThrow();
  await storage.db.deleteFrom('capability_tokens').where('jti', '=', jti).execute();
  await olderInsert(storage, { ...rest, token });
}

async function recordOf(storage: Storage, token: string) {
  return storage.db
    .selectFrom('capability_tokens')
    .select(['token', 'token_sha256'])
    .where('jti', '=', jtiOf(token))
    .executeTakeFirstOrThrow();
}

/** Other text under the same jti, signed by the gateway's own key. */
async function sameJtiOtherText(app: TestApp, storage: Storage, token: string): Promise<string> {
  const k = (await listServerKeys(storage, app.kek, 'capability')).find((r) => r.status === 'active')!;
  const claims = decodeCapabilityToken(token).claims;
  const key = parsePrivateKey(k.privateKey.export({ format: 'jwk' }));
  return signCapabilityToken({ ...claims, exp: claims.exp - 1 }, key, { kid: k.kid });
}

eachEngine(
  "an older instance's recorded text is accepted, delegated from, then scrubbed to its digest by housekeeping",
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const reg = await genesis(app);
      const root = (await issue(app.app, { agentId: X, resource: 'payments:*', action: 'read' }, admin(app.adminKey)))
        .body.token!;
      const bound = await boundToken(app, reg.issuers.acme!, X, { resource: 'payments:*', expiresIn: 600 });
      const child = await post(app.app, '/v1/tokens/delegate', { token: bound.token, resource: 'payments:invoices' });
      assert.equal(child.status, 201, JSON.stringify(child.body));
      const tokens = [root, bound.token, child.body.token as string];
      // As an instance of the previous version, still running mid-rollout, records them: text, no digest.
      for (const t of tokens) await asOlderInstanceWrote(storage, t);
      for (const t of tokens) assert.deepEqual(await recordOf(storage, t), { token: t, token_sha256: null });

      // The upgraded gateway accepts each by its text (root: the prepared statement; child: the other path) ...
      for (const t of tokens) assert.equal(await codeOf(app, t), 'allow');
      // ... but only the exact text.
      for (const t of tokens) assert.equal(await codeOf(app, await sameJtiOtherText(app, storage, t)), 'TOKEN_UNKNOWN');
      // Delegation reads the parent's record the same way.
      const grandchild = await post(app.app, '/v1/tokens/delegate', { token: tokens[2] });
      assert.equal(grandchild.status, 201, JSON.stringify(grandchild.body));
      const fromRoot = await post(app.app, '/v1/tokens/delegate', { token: root, resource: 'payments:invoices' });
      assert.equal(fromRoot.status, 201, JSON.stringify(fromRoot.body));

      // The minute's housekeeping replaces the text by its digest; each is still accepted, and still only as is.
      await pruneCapabilityState(app.ctx);
      for (const t of tokens) {
        assert.deepEqual(await recordOf(storage, t), { token: null, token_sha256: sha256HexSync(t) });
        assert.equal(await codeOf(app, t), 'allow');
        assert.equal(await codeOf(app, await sameJtiOtherText(app, storage, t)), 'TOKEN_UNKNOWN');
      }
      const left = await storage.db
        .selectFrom('capability_tokens')
        .select('jti')
        .where((w) => w.or([w('token', 'is not', null), w('token_sha256', 'is', null)]))
        .execute();
      assert.deepEqual(left, []);
      assert.equal((await post(app.app, '/v1/tokens/delegate', { token: tokens[2] })).status, 201);
    } finally {
      await app.app.close();
    }
  },
);

eachEngine('the scrub takes batches of at most 100 rows, at most 10 of them per run', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  try {
    const issued = await issue(
      app.app,
      { agentId: X, resource: 'payments:invoices', action: 'read' },
      admin(app.adminKey),
    );
    const {
      token: _t,
      token_sha256: _d,
      ...shape
    } = await storage.db
      .selectFrom('capability_tokens')
      .selectAll()
      .where('jti', '=', issued.body.tokenId!)
      .executeTakeFirstOrThrow();
    const text = (i: number) => `eyJ.older.${i}`;
    for (let i = 0; i < 250; i++) await olderInsert(storage, { ...shape, jti: `older-${i}`, token: text(i) });
    const stillText = async () =>
      (await storage.db.selectFrom('capability_tokens').select('jti').where('token', 'is not', null).execute()).length;

    assert.equal(await scrubTokenText(storage.db, 100, 1), 100, 'one batch of 100');
    assert.equal(await stillText(), 150);
    assert.equal(await scrubTokenText(storage.db), 150, 'the rest, in two batches');
    assert.equal(await stillText(), 0);
    assert.equal(await scrubTokenText(storage.db), 0);
    const rows = await storage.db
      .selectFrom('capability_tokens')
      .select(['jti', 'token_sha256'])
      .where('jti', 'like', 'older-%')
      .execute();
    assert.equal(rows.length, 250);
    for (const r of rows) assert.equal(r.token_sha256, sha256HexSync(text(Number(r.jti.slice(6)))));
  } finally {
    await app.app.close();
  }
});

eachEngine(
  "the previous version's statements run on the migrated schema: its insert succeeds, its check misses new tokens",
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const issued = await issue(
        app.app,
        { agentId: X, resource: 'payments:invoices', action: 'read' },
        admin(app.adminKey),
      );
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      const upgraded = issued.body.token!;
      // A token the upgraded gateway issued: the older check finds no row holding its text (its TOKEN_UNKNOWN).
      assert.equal(await olderRecorded(storage, jtiOf(upgraded), upgraded), false);

      // The older version issues one: 0019's insert, without `token_sha256`, meets no NOT NULL.
      const {
        token: _t,
        token_sha256: _d,
        ...shape
      } = await storage.db
        .selectFrom('capability_tokens')
        .selectAll()
        .where('jti', '=', jtiOf(upgraded))
        .executeTakeFirstOrThrow();
      const own = 'eyJ.older.own';
      await olderInsert(storage, { ...shape, jti: 'older-own', token: own });
      assert.equal(await olderRecorded(storage, 'older-own', own), true, 'the older instance finds its own token');
      // So does its revocation's look-up by id (findToken: selectAll by jti), and the upgraded one's.
      const byId = await sql<{ jti: string }>`select * from capability_tokens where jti = ${'older-own'}`.execute(
        storage.db,
      );
      assert.equal(byId.rows.length, 1);

      // Once an upgraded instance's housekeeping has scrubbed it, the older check misses it too (TOKEN_UNKNOWN
      // there until the instance is replaced); the upgraded gateway still finds it by digest.
      await pruneCapabilityState(app.ctx);
      assert.equal(await olderRecorded(storage, 'older-own', own), false);
      assert.deepEqual(
        await storage.db
          .selectFrom('capability_tokens')
          .select(['token', 'token_sha256'])
          .where('jti', '=', 'older-own')
          .executeTakeFirstOrThrow(),
        { token: null, token_sha256: sha256HexSync(own) },
      );
    } finally {
      await app.app.close();
    }
  },
);
