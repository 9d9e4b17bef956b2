// The capability routes' 409 answers other than PROOF_REPLAYED (issue.test.ts, race-two-processes.test.ts), each
// driven for real by another process committing between an issue's check and its record:
// - REGISTRY_CONFLICT: a governance step commits under every try (the first and REGISTRY_RETRIES more) of a
//   registry-bound issue or delegation; with one try to spare, the last one records the token;
// - CONFLICT: the capability key is rotated under every try to sign and record (recordSigned's RETRIES).
// Revocation has no 409: revoking again answers 200 with alreadyRevoked (delegate-revoke.test.ts).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';
import { gatewayKeysOf } from '../../src/modules/capabilities/keys.ts';
import { admin, post } from '../registry/fixtures.ts';
import { boundToken, credential, genesis, issue, rotateIssuerKey } from './helpers.ts';
import type { Governed } from './helpers.ts';

const X = 'agent:my-assistant:v1';
// No admin limit to raise: b's key rotations (at most 7 a test) count against the default route limit
// (VOUCH_RATE_LIMIT_MAX, 600), and its governance steps against the registry's fixed 30 writes a minute.
const env = { VOUCH_TOKEN_ISSUE_RATE_MAX: '1000' };
/** The first try and recordSigned's / onRegistryInForce's three retries. */
const TRIES = 4;

async function twoProcesses(open: () => Promise<Storage>): Promise<[TestApp, TestApp]> {
  const a = await makeApp(await open(), { env });
  const b = await makeApp(await open(), { env, clock: a.clock, kek: a.kek });
  return [a, b];
}

/**
 * Runs `step` (at most `times` times) each time `app` has taken its capability signing key, before it signs and
 * records: after the issue's registry check, before its record transaction begins. Returns how many ran.
 */
function afterSigningKey(app: TestApp, times: number, step: () => Promise<void>): () => number {
  const keys = gatewayKeysOf(app.ctx);
  const original = keys.signingKey.bind(keys);
  let ran = 0;
  keys.signingKey = async () => {
    const key = await original();
    if (ran < times) {
      ran++;
      await step();
    }
    return key;
  };
  return () => ran;
}

async function boundIssue(a: TestApp, reg: Governed) {
  const agentCredential = await credential(a, reg.issuers.acme!, X);
  return issue(a.app, {
    agentId: X,
    resource: 'payments:invoices',
    action: 'read',
    issuerBinding: { issuerId: 'acme', agentCredential },
  });
}

eachEngine(
  'a governance step committed under every try of a bound issue: 409 REGISTRY_CONFLICT, nothing recorded',
  async ({ open }) => {
    const [a, b] = await twoProcesses(open);
    try {
      const reg = await genesis(a);
      await boundToken(a, reg.issuers.acme!, X); // loads the capability key
      // Each step rotates echo's key at b: acme, the token's issuer, stays in good standing throughout.
      const moved = () => rotateIssuerKey(b, reg, 'echo', ['bolt', 'coda', 'dyad']);

      const before = await tableCounts(a.ctx.storage);
      let ran = afterSigningKey(a, TRIES, moved);
      const refused = await boundIssue(a, reg);
      assert.equal(ran(), TRIES, 'the registry moved under every try');
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'REGISTRY_CONFLICT');
      const after = await tableCounts(a.ctx.storage);
      assert.equal(after.capability_tokens, before.capability_tokens, 'no token was recorded');
      assert.equal(after.registry_proposals, before.registry_proposals! + TRIES, 'the four governance steps were');

      // With a try to spare, the last one is checked and recorded on the registry in force.
      a.clock.advance(1000);
      ran = afterSigningKey(a, TRIES - 1, moved);
      const issued = await boundIssue(a, reg);
      assert.equal(ran(), TRIES - 1);
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
    } finally {
      await Promise.all([a.app.close(), b.app.close()]);
    }
  },
  { timeout: 60_000 },
);

eachEngine(
  'the capability key rotated at another process under every try: 409 CONFLICT, nothing recorded',
  async ({ open }) => {
    const [a, b] = await twoProcesses(open);
    try {
      const reg = await genesis(a);
      await boundToken(a, reg.issuers.acme!, X); // loads the capability key
      const rotate = async () => {
        const res = await post(b.app, '/api/v1/admin/keys/rotate', { purpose: 'capability' }, admin(b.adminKey));
        assert.equal(res.status, 201, JSON.stringify(res.body));
      };

      const before = await tableCounts(a.ctx.storage);
      let ran = afterSigningKey(a, TRIES, rotate);
      const refused = await boundIssue(a, reg);
      assert.equal(ran(), TRIES, 'the key was rotated under every try');
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'CONFLICT');
      assert.match(String(refused.body.error), /capability keys were rotated repeatedly/);
      const after = await tableCounts(a.ctx.storage);
      assert.equal(after.capability_tokens, before.capability_tokens, 'no token was recorded');

      // With a try to spare, the last one signs with the key active then.
      a.clock.advance(1000);
      ran = afterSigningKey(a, TRIES - 1, rotate);
      const issued = await boundIssue(a, reg);
      assert.equal(ran(), TRIES - 1);
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
    } finally {
      await Promise.all([a.app.close(), b.app.close()]);
    }
  },
  { timeout: 60_000 },
);

eachEngine(
  'a governance step committed under every try of a bound delegation: 409 REGISTRY_CONFLICT, nothing recorded',
  async ({ open }) => {
    const [a, b] = await twoProcesses(open);
    try {
      const reg = await genesis(a);
      const parent = await boundToken(a, reg.issuers.acme!, X, { resource: 'payments:*' });
      const moved = () => rotateIssuerKey(b, reg, 'echo', ['bolt', 'coda', 'dyad']);
      const delegate = () => post(a.app, '/v1/tokens/delegate', { token: parent.token, resource: 'payments:invoices' });

      const before = await tableCounts(a.ctx.storage);
      let ran = afterSigningKey(a, TRIES, moved);
      const refused = await delegate();
      assert.equal(ran(), TRIES, 'the registry moved under every try');
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'REGISTRY_CONFLICT');
      assert.equal((await tableCounts(a.ctx.storage)).capability_tokens, before.capability_tokens);

      a.clock.advance(1000);
      ran = afterSigningKey(a, TRIES - 1, moved);
      const delegated = await delegate();
      assert.equal(ran(), TRIES - 1);
      assert.equal(delegated.status, 201, JSON.stringify(delegated.body));
    } finally {
      await Promise.all([a.app.close(), b.app.close()]);
    }
  },
  { timeout: 60_000 },
);
