// Verification reads nothing from the database in the steady state (verify-cache.ts, keyring.ts,
// retired-key-tokens.ts; docs/PROTOCOL.md, "Verify"): a token presented again while the caches are fresh (the app
// clock standing still) sends no query for its revocation, its agent, its key or, for a retired key's token, its
// issuance record. Every other test still passes with any of these caches gone (a query per token answers the same),
// so only a count of the reads catches one that stopped caching. Counted through verifyToken, not the route: the
// route's rate limit writes to the database on its own schedule.
import assert from 'node:assert/strict';
import type { RootOperationNode } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { countQueries, selectsFrom } from '../helpers/query-count.ts';
import { verifyToken } from '../../src/modules/tokens/service.ts';
import { ADMIN, issue, post, registerAgent, tokenApp } from './helpers.ts';

/** What verification reads, when it reads. */
const TABLES = ['token_revocations', 'token_revocation_seq', 'agents', 'issued_tokens', 'server_keys', 'token_nonces'];

function readsVerifyState(node: RootOperationNode): boolean {
  return TABLES.some((table) => selectsFrom(node, table));
}

eachEngine('a token verified again while the caches are fresh sends no query', async ({ open }) => {
  const reads = countQueries(await open(), readsVerifyState);
  const t = await tokenApp(reads.storage);
  try {
    const agent = await registerAgent(t);
    const old = await issue(t, agent, { expires_in: '24h' });
    const active = await issue(t, agent);
    let before = reads.counted();
    await verifyToken(t.ctx, active.token);
    assert.ok(reads.counted() > before, 'the first verification reads the revocation list (the count sees reads)');
    before = reads.counted();
    for (let i = 0; i < 3; i++) await verifyToken(t.ctx, active.token);
    assert.equal(reads.counted() - before, 0, "the active key's token: no revocation, agent or key read");

    // A retired key's token: one read of its issuance record, then none.
    t.clock.advance(60_000);
    assert.equal((await post(t, '/api/v1/admin/keys/rotate', {}, ADMIN)).statusCode, 201);
    before = reads.counted();
    await verifyToken(t.ctx, old.token);
    assert.ok(reads.counted() > before, "the first verification of a retired key's token reads its record");
    before = reads.counted();
    for (let i = 0; i < 3; i++) await verifyToken(t.ctx, old.token);
    assert.equal(reads.counted() - before, 0, "the retired key's token: its record is remembered");
  } finally {
    await t.app.close();
  }
});
