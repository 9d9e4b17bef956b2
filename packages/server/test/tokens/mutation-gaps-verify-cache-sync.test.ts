// Gaps found by mutation testing in the verify cache (verify-cache.ts): revocations written by another process must
// reach this one within REVOCATION_SYNC_MS however many there are (more than one page of the list, more than the
// cache holds) and even after the app clock stepped back.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Storage } from '../../src/storage/index.ts';
import { REVOCATION_SYNC_MS } from '../../src/modules/tokens/verify-cache.ts';
import { eachEngine } from '../helpers/storage.ts';
import type { TestApp } from '../helpers/app.ts';
import { issue, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

/**
 * Writes `count` revocations of never-issued jtis and then one of `jti` (last in sequence order), the way another
 * process on the same database would: behind this process's back, taking their numbers from the shared counter.
 */
async function revokeElsewhere(storage: Storage, count: number, jti: string, expiresAt: number): Promise<void> {
  const { db } = storage;
  const start = Number(
    (await db.selectFrom('token_revocation_seq').select('value').where('name', '=', 'revocations').executeTakeFirst())
      ?.value ?? 0,
  );
  const last = start + count + 1;
  if (count > 0) {
    const series =
      storage.engine === 'postgres'
        ? sql`select g as n from generate_series(cast(${start + 1} as bigint), cast(${start + count} as bigint)) as g`
        : sql`with recursive s(n) as (select ${start + 1} union all select n + 1 from s where n < ${start + count})
              select n from s`;
    await sql`insert into token_revocations (jti, seq, revoked_at, expires_at, reason, agent_did, revoked_by)
      select 'elsewhere-' || cast(n as text), n, cast(${expiresAt - 3_600_000} as bigint), cast(${expiresAt} as bigint),
        'bulk', null, 'admin'
      from (${series}) as bulk`.execute(db);
  }
  await db
    .insertInto('token_revocations')
    .values({
      jti,
      seq: last,
      revoked_at: expiresAt - 3_600_000,
      expires_at: expiresAt,
      reason: 'elsewhere',
      agent_did: null,
      revoked_by: 'admin',
    })
    .execute();
  await db.updateTable('token_revocation_seq').set({ value: last }).where('name', '=', 'revocations').execute();
}

/**
 * Two live tokens of one agent, the first verified once (the cache has read the list); then `count` revocations by
 * another process, the first token's last, and the sync interval passes.
 */
async function revokedAmong(t: TestApp, count: number) {
  const agent = await registerAgent(t);
  const [target, control] = [await issue(t, agent), await issue(t, agent)];
  assert.equal((await verify(t, { token: target.token })).status, 200);
  await revokeElsewhere(t.ctx.storage, count, target.jti, target.exp * 1000);
  t.clock.advance(REVOCATION_SYNC_MS);
  return { target, control };
}

eachEngine(
  'more revocations than one page of the list arrive at once: the last of them is seen within the bound',
  async ({ open }) => {
    const t = await tokenApp(await open());
    try {
      const { target, control } = await revokedAmong(t, 5_000);
      await rejected(t, { token: target.token }, 'TOKEN_REVOKED');
      assert.equal((await verify(t, { token: control.token })).status, 200);
    } finally {
      await t.app.close();
    }
  },
  { timeout: 60_000 },
);

eachEngine(
  'past the cache size, revocations are still refused: on the first verification and on the next ones',
  async ({ open }) => {
    const t = await tokenApp(await open());
    try {
      // More live revocations than the cache holds (200,000): it stops holding the set and asks per token.
      const { target, control } = await revokedAmong(t, 200_001);
      await rejected(t, { token: target.token }, 'TOKEN_REVOKED');
      await rejected(t, { token: target.token }, 'TOKEN_REVOKED');
      assert.equal((await verify(t, { token: control.token })).status, 200);
      t.clock.advance(REVOCATION_SYNC_MS);
      await rejected(t, { token: target.token }, 'TOKEN_REVOKED');
    } finally {
      await t.app.close();
    }
  },
  { timeout: 120_000 },
);

eachEngine(
  'after the app clock stepped back, a revocation from another process is still seen within the bound',
  async ({ open }) => {
    const t = await tokenApp(await open());
    try {
      const agent = await registerAgent(t);
      const target = await issue(t, agent);
      t.clock.advance(10_000);
      assert.equal((await verify(t, { token: target.token })).status, 200); // the list was read now
      t.clock.set(t.clock.now() - 5_000); // e.g. an NTP correction
      assert.equal((await verify(t, { token: target.token })).status, 200);
      await revokeElsewhere(t.ctx.storage, 0, target.jti, target.exp * 1000);
      t.clock.advance(REVOCATION_SYNC_MS);
      await rejected(t, { token: target.token }, 'TOKEN_REVOKED');
    } finally {
      await t.app.close();
    }
  },
);
