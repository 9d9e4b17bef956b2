// Capability tokens are bearer credentials: the gateway records each one as the SHA-256 of its compact text
// (`capability_tokens.token_sha256`, migration 0020), never the text, so whoever reads the database or a backup holds
// no usable token. Intercept still allows only the exact text recorded: the same jti re-signed (other claims) is
// TOKEN_UNKNOWN. Migration 0020 replaces the text of the tokens recorded before it with its digest.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import {
  decodeCapabilityToken,
  parsePrivateKey,
  sha256HexSync,
  signCapabilityToken,
  type CapabilityClaims,
} from '@vouch/sdk';
import { listServerKeys } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { rewindTo0019 } from '../helpers/capability-token-digest.ts';
import { makeApp, type TestApp } from '../helpers/app.ts';
import { admin, post } from '../registry/fixtures.ts';
import { boundToken, genesis, intercept, issue } from './helpers.ts';

const X = 'agent:my-assistant:v1';

/** Every table of this database (or PostgreSQL schema), migration bookkeeping included. */
async function tableNames(storage: Storage): Promise<string[]> {
  const rows =
    storage.engine === 'postgres'
      ? (
          await sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(storage.db)
        ).rows
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(storage.db)).rows;
  return rows.map((r) => r.name).sort();
}

/** `table.column` of every value in the database that contains one of `needles`. */
async function holding(storage: Storage, needles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const table of await tableNames(storage)) {
    const rows = await storage.db
      .selectFrom(table as never)
      .selectAll()
      .execute();
    for (const row of rows as Array<Record<string, unknown>>) {
      for (const [column, value] of Object.entries(row)) {
        const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
        if (needles.some((n) => text.includes(n))) found.push(`${table}.${column}`);
      }
    }
  }
  return found;
}

/** The token and its signature segment: neither may be stored. */
const secretParts = (token: string) => [token, token.split('.')[2]!];

/** The gateway's active capability key, as whoever stole it would hold it. */
async function stealKey(app: TestApp, storage: Storage) {
  const k = (await listServerKeys(storage, app.kek, 'capability')).find((r) => r.status === 'active')!;
  return { kid: k.kid, privateKey: parsePrivateKey(k.privateKey.export({ format: 'jwk' })) };
}

/** Other text under the same jti, signed by the gateway's own key: a valid signature, not the recorded token. */
async function sameJtiOtherText(app: TestApp, storage: Storage, token: string): Promise<string> {
  const key = await stealKey(app, storage);
  const claims: CapabilityClaims = decodeCapabilityToken(token).claims;
  const other = await signCapabilityToken({ ...claims, exp: claims.exp - 1 }, key.privateKey, { kid: key.kid });
  assert.notEqual(other, token);
  assert.equal(decodeCapabilityToken(other).claims.jti, claims.jti);
  return other;
}

/** Rows the backfill covers beyond the real tokens: more than two of its batches. */
const EXTRA_ROWS = 650;
/** The text of extra row `i` (not ASCII: the digest is of its UTF-8). */
const extraText = (i: number) => `eyJ.extra.${i}-ü`;

const codeOf = async (app: TestApp, token: string) => (await intercept(app.app, token, X)).code ?? 'allow';

/** Issues an admin token, an issuer-bound one and a child delegated from it. */
async function issueThree(app: TestApp): Promise<string[]> {
  const reg = await genesis(app);
  const byAdmin = await issue(
    app.app,
    { agentId: X, resource: 'payments:invoices', action: 'read' },
    admin(app.adminKey),
  );
  assert.equal(byAdmin.status, 201, JSON.stringify(byAdmin.body));
  const bound = await boundToken(app, reg.issuers.acme!, X, { resource: 'payments:*', expiresIn: 600 });
  const child = await post(app.app, '/v1/tokens/delegate', { token: bound.token, resource: 'payments:invoices' });
  assert.equal(child.status, 201, JSON.stringify(child.body));
  return [byAdmin.body.token!, bound.token, child.body.token as string];
}

/** What intercept must answer for each token, and for other text under its jti. */
async function assertExactTextOnly(app: TestApp, storage: Storage, tokens: readonly string[]): Promise<void> {
  for (const token of tokens) {
    assert.equal(await codeOf(app, token), 'allow');
    assert.equal(await codeOf(app, await sameJtiOtherText(app, storage, token)), 'TOKEN_UNKNOWN');
  }
}

eachEngine(
  'issued and delegated capability tokens are stored as their SHA-256, never as their text',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const tokens = await issueThree(app);
      assert.deepEqual(await holding(storage, tokens.flatMap(secretParts)), []);
      const rows = await storage.db.selectFrom('capability_tokens').selectAll().execute();
      assert.deepEqual(
        Object.fromEntries(rows.map((r) => [r.jti, r.token_sha256])),
        Object.fromEntries(tokens.map((t) => [decodeCapabilityToken(t).claims.jti, sha256HexSync(t)])),
      );
      await assertExactTextOnly(app, storage, tokens);
      // The child is still delegated from the exact parent only.
      const forgedParent = await sameJtiOtherText(app, storage, tokens[1]!);
      const refused = await post(app.app, '/v1/tokens/delegate', { token: forgedParent });
      assert.equal(refused.body.code, 'TOKEN_UNKNOWN', JSON.stringify(refused.body));
    } finally {
      await app.app.close();
    }
  },
);

eachEngine(
  'migration 0020 replaces the text of tokens recorded before it by their SHA-256; they still intercept',
  async ({ open }) => {
    const storage = await open();
    const first = await makeApp(storage);
    const tokens = await issueThree(first);
    await first.app.close();
    // As many more rows as the backfill takes in more than two batches, shaped like a real one.
    const { token_sha256: _digest, ...shape } = await storage.db
      .selectFrom('capability_tokens')
      .selectAll()
      .executeTakeFirstOrThrow();
    const extra = Array.from({ length: EXTRA_ROWS }, (_, i) => ({
      ...shape,
      jti: `extra-${String(i).padStart(4, '0')}`,
      token: extraText(i),
    }));
    await rewindTo0019(storage, Object.fromEntries(tokens.map((t) => [decodeCapabilityToken(t).claims.jti, t])), extra);

    // The server of today opens it: 0020 runs.
    const migrated = await open();
    const app = await makeApp(migrated, { kek: first.kek, clock: first.clock });
    try {
      assert.deepEqual(await holding(migrated, tokens.flatMap(secretParts)), []);
      const rows = await migrated.db.selectFrom('capability_tokens').selectAll().execute();
      assert.equal(rows.length, tokens.length + EXTRA_ROWS);
      for (const r of rows) {
        assert.equal(r.token, null, 'the text is gone (the column stays, for older instances mid-rollout)');
        const text = r.jti.startsWith('extra-')
          ? extraText(Number(r.jti.slice(6)))
          : tokens.find((t) => decodeCapabilityToken(t).claims.jti === r.jti)!;
        assert.equal(r.token_sha256, sha256HexSync(text), r.jti);
      }
      await assertExactTextOnly(app, migrated, tokens);
    } finally {
      await app.app.close();
    }
  },
  { timeout: 60_000 },
);
