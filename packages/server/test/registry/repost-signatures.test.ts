// A proposal file co-signed offline (`vouch registry sign`) and submitted again once it holds more signatures: the
// signatures the server does not hold yet are added (each must count), and at quorum the proposal applies.
import assert from 'node:assert/strict';
import { signProposal } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, cosignature, get, makeIssuers, post, proposal, unsigned } from './fixtures.ts';

eachEngine('a proposal posted again with more co-signatures keeps them, and applies at quorum', async ({ open }) => {
  const app = await makeApp(await open());
  const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
  const founders = [is.alpha!, is.bravo!, is.charlie!, is.delta!];
  const g = await post(
    app.app,
    '/v1/registry/genesis',
    { issuers: founders.map((f) => f.entry), threshold: 3 },
    admin(app.adminKey),
  );
  assert.equal(g.status, 201, JSON.stringify(g.body));
  const registry = g.body.registry as string;
  const now = app.clock.now();

  const byAlpha = await proposal(
    { registry, baseSequence: 1, action: 'add', entry: unsigned(is.echo!.entry) },
    [is.alpha!],
    now,
  );
  const first = await post(app.app, '/v1/registry/proposals', byAlpha);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const id = first.body.id as string;

  // The same file, posted again unchanged: 200, nothing new.
  const same = await post(app.app, '/v1/registry/proposals', byAlpha);
  assert.equal(same.status, 200);
  assert.equal((same.body.quorum as { valid: number }).valid, 1);

  // Bravo signed the file offline: its signature is kept (not dropped behind a 200 that says "signed by 1").
  const withBravo = await signProposal(byAlpha, is.bravo!.pair.privateKey, {
    issuerId: 'bravo',
    signedAt: new Date(now),
  });
  const second = await post(app.app, '/v1/registry/proposals', withBravo);
  assert.equal(second.status, 200, JSON.stringify(second.body));
  assert.equal(second.body.id, id);
  assert.equal(second.body.status, 'pending');
  assert.deepEqual((second.body.quorum as { signers: string[] }).signers, ['alpha', 'bravo']);
  const held = await get(app.app, `/v1/registry/proposals/${id}`);
  assert.deepEqual(
    (held.body.proposal as { signatures: Array<{ issuerId: string }> }).signatures.map((s) => s.issuerId),
    ['alpha', 'bravo'],
  );

  // A new signature that does not count (charlie's name, another key) is refused, and nothing of that post is stored.
  const forged = {
    ...withBravo,
    signatures: [...withBravo.signatures, cosignature(withBravo, is.charlie!, now, is.echo!.pair)],
  };
  const refused = await post(app.app, '/v1/registry/proposals', forged);
  assert.equal(refused.status, 400);
  assert.equal(refused.body.code, 'REGISTRY_SIGNATURE_REFUSED');
  assert.equal(
    ((await get(app.app, `/v1/registry/proposals/${id}`)).body.proposal as { signatures: unknown[] }).signatures.length,
    2,
  );

  // A file with only charlie's signature reaches the quorum with the two held: applied.
  const byCharlie = await proposal(
    { registry, baseSequence: 1, action: 'add', entry: unsigned(is.echo!.entry) },
    [is.charlie!],
    now,
  );
  const third = await post(app.app, '/v1/registry/proposals', byCharlie);
  assert.equal(third.status, 201, JSON.stringify(third.body));
  assert.equal(third.body.status, 'applied');
  assert.equal(third.body.appliedSequence, 2);
  assert.equal((await get(app.app, '/v1/registry/issuers/echo')).body.status, 'active');
  await app.app.close();
});
