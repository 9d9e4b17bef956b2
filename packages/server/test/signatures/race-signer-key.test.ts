// A signed message or a signed report is checked against the agent's key before its transaction, so a key rotation
// or a revocation can commit in between (here through another process on the same database, forced just before the
// transaction begins). The rotation is the recovery from a lost or leaked key and the revocation ends the agent: what
// the old key signed must not be recorded once either has been answered, and nothing may be half-written.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { tableCounts, twoProcesses } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { rotateKey } from '../agents/helpers.ts';
import { admin, codeOf, newPair, postSign, registerPow, signBody, SIG_ENV } from './helpers.ts';
import type { PowAgent } from './helpers.ts';
import { report, signedReport } from '../reports/helpers.ts';

type Interrupt = (b: TestApp, agent: PowAgent) => Promise<LightMyRequestResponse>;

/** The agent rotates its key (signed by the old key, the new key's statement signed by the new one). */
const rotate: Interrupt = async (b, agent) =>
  rotateKey(b.app, agent.did, agent.pair, await newPair(), b.clock.now() + 1);

/** The admin revokes the agent. */
const revoke: Interrupt = (b, agent) =>
  b.app.inject({ method: 'POST', url: `/api/v1/agents/${agent.did}/revoke`, headers: admin, payload: {} });

const CASES: Array<[name: string, interrupt: Interrupt, status: number, code: string]> = [
  ['a key rotation', rotate, 400, 'SIGNATURE_INVALID'],
  ['a revocation', revoke, 403, 'AGENT_REVOKED'],
];

for (const [name, interrupt, status, code] of CASES) {
  eachEngine(`a signed message checked before ${name} committed is not recorded`, async ({ open }) => {
    const { a, b, storage } = await twoProcesses(open, SIG_ENV);
    try {
      const signer = await registerPow(a.app);
      const body = await signBody(signer.pair, signer.did, 'pay invoice 42', a.clock.now());
      let between: LightMyRequestResponse | undefined;
      beforeNextTransaction(storage.db, async () => {
        between = await interrupt(b, signer);
      });
      const before = await tableCounts(storage);
      const res = await postSign(a.app, body);
      assert.ok(between !== undefined, `${name} ran in between`);
      assert.equal(between.statusCode, 200, between.body);
      assert.equal(res.statusCode, status, res.body);
      assert.equal(codeOf(res), code);
      assert.equal((await tableCounts(storage)).signatures, before.signatures, 'no signature recorded');
    } finally {
      await a.app.close();
      await b.app.close();
    }
  });

  eachEngine(
    `a signed report checked before its reporter's ${name.slice(2)} committed is not recorded`,
    async ({ open }) => {
      const { a, b, storage } = await twoProcesses(open, SIG_ENV);
      try {
        const [reporter, target] = [await registerPow(a.app), await registerPow(a.app)];
        const body = await signedReport(reporter!, target!.did, 'spam', a.clock.now());
        let between: LightMyRequestResponse | undefined;
        beforeNextTransaction(storage.db, async () => {
          between = await interrupt(b, reporter!);
        });
        const before = await tableCounts(storage);
        const res = await report(a.app, body);
        assert.ok(between !== undefined, `${name} ran in between`);
        assert.equal(between.statusCode, 200, between.body);
        assert.equal(res.statusCode, status, res.body);
        assert.equal(codeOf(res), code);
        const after = await tableCounts(storage);
        assert.equal(after.reports, before.reports, 'no report recorded');
        assert.equal(after.reputation_penalties, before.reputation_penalties, 'no penalty applied');
      } finally {
        await a.app.close();
        await b.app.close();
      }
    },
  );
}
