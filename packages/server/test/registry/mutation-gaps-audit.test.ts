// Gaps found by mutation testing in the audit of registry governance: the genesis is the admin's act, but a proposal
// applies by its issuers' quorum, never by the admin. Its `registry.apply` entry names the quorum as the actor, the
// proposal as the target, the co-signers, and the request whose signature completed the quorum; a proposal still
// short of its quorum leaves no entry. Read back through the admin audit API.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { admin, cosignature, makeIssuers, proposal, unsigned } from './fixtures.ts';

interface Entry {
  action: string;
  actor: string;
  target: string | null;
  details: Record<string, unknown> | null;
  requestId: string | null;
}

async function registryAudit(t: TestApp): Promise<Entry[]> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: admin(t.adminKey) });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { entries: Entry[] }).entries
    .filter((e) => e.action.startsWith('registry.'))
    .map(({ action, actor, target, details, requestId }) => ({ action, actor, target, details, requestId }));
}

eachEngine('a genesis is audited as the admin, an applied proposal as its quorum', async ({ open }) => {
  const t = await makeApp(await open());
  try {
    const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
    const g = await t.app.inject({
      method: 'POST',
      url: '/v1/registry/genesis',
      headers: admin(t.adminKey),
      payload: { issuers: Object.values(is).map((i) => i.entry), threshold: 2 },
    });
    assert.equal(g.statusCode, 201, g.body);
    const registry = (g.json() as { registry: string }).registry;
    const [genesis] = await registryAudit(t);
    assert.deepEqual(
      [genesis!.action, genesis!.actor, genesis!.target, genesis!.requestId],
      ['registry.genesis', 'admin', registry, g.headers['x-request-id']],
    );

    const extra = await makeIssuers(['delta']);
    const add = await proposal(
      { registry, baseSequence: 1, action: 'add', entry: unsigned(extra.delta!.entry) },
      [is.alpha!],
      t.clock.now(),
    );
    const posted = await t.app.inject({ method: 'POST', url: '/v1/registry/proposals', payload: add });
    assert.equal(posted.statusCode, 201, posted.body);
    const id = (posted.json() as { id: string; status: string }).id;
    assert.equal((posted.json() as { status: string }).status, 'pending');
    assert.equal((await registryAudit(t)).length, 1, 'a pending proposal is not audited');

    t.clock.advance(60_000);
    const signed = await t.app.inject({
      method: 'POST',
      url: `/v1/registry/proposals/${id}/signatures`,
      payload: cosignature(add, is.bravo!, t.clock.now()),
    });
    assert.equal(signed.statusCode, 200, signed.body);
    assert.equal((signed.json() as { status: string }).status, 'applied');
    const [applied, ...rest] = await registryAudit(t);
    assert.deepEqual(rest, [genesis]);
    assert.deepEqual(applied, {
      action: 'registry.apply',
      actor: 'registry-quorum',
      target: id,
      details: { sequence: 2, action: 'add', subject: 'delta', signers: ['alpha', 'bravo'] },
      requestId: signed.headers['x-request-id'],
    });
  } finally {
    await t.app.close();
  }
});
