// The registry page's "not counted" list (modules/console/registry-page.ts): beside each step's "signed by n/m" and
// the ids counted, the co-signatures the verifier did not count, in signature order, each with the reason it gives
// (the subject signing its own step, a second signature by one issuer, an id no issuer has, a signature that does not
// verify, an issuer revoked before the step). A step whose signatures all count lists none; genesis shows "root key".
import assert from 'node:assert/strict';
import { applyProposal, generateKeyPair, signRegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { T0 } from '../helpers/app.ts';
import { cosignature, proposal, signedGenesis } from '../registry/fixtures.ts';
import type { TestIssuer } from '../registry/fixtures.ts';
import { registryPage } from './registry-page.ts';

/** The chain table's row for step `sequence`. */
function chainRow(html: string, sequence: number): string {
  const chain = /<table id="registry-chain">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  const row = new RegExp(`<tr><td class="n">${sequence}</td>[\\s\\S]*?</tr>`).exec(chain)?.[0];
  assert.ok(row !== undefined, `step ${sequence} is listed`);
  return row;
}

eachEngine(
  'registry page: co-signatures not counted are listed per step, in signature order, with the reason',
  async (ctx) => {
    const root = await generateKeyPair('Ed25519');
    const { is, doc: first, state: s1 } = await signedGenesis(root, ['alpha', 'bravo', 'charlie', 'delta']);
    const [alpha, bravo, charlie, delta] = (['alpha', 'bravo', 'charlie', 'delta'] as const).map((id) => is[id]!);
    const zulu: TestIssuer = { ...alpha!, id: 'zulu' };
    const at = T0 + 1000;

    // Step 2 removes delta. Counted: alpha, bravo. Not counted, in this order: charlie (bravo's key, so it does not
    // verify), delta (the subject), alpha again, zulu (no issuer of this registry).
    const rm = await proposal(
      { registry: s1.registry, baseSequence: 1, action: 'remove', subject: 'delta', reason: 'left' },
      [],
      at,
    );
    const sigs2 = [
      cosignature(rm, alpha!, at),
      cosignature(rm, charlie!, at, bravo!.pair),
      cosignature(rm, delta!, at),
      cosignature(rm, alpha!, at),
      cosignature(rm, zulu, at),
      cosignature(rm, bravo!, at),
    ];
    const s2 = applyProposal(s1, { ...rm, signatures: sigs2 }, { appliedAt: at }).state;
    // Step 3 (threshold → 2 again): delta, revoked at step 2, signs too.
    const th = await proposal(
      { registry: s1.registry, baseSequence: 2, action: 'threshold', threshold: { required: 2 } },
      [],
      at,
    );
    const sigs3 = [cosignature(th, delta!, at), cosignature(th, bravo!, at), cosignature(th, charlie!, at)];
    const s3 = applyProposal(s2, { ...th, signatures: sigs3 }, { appliedAt: at }).state;
    // Step 4: counted signatures only.
    const th4 = await proposal(
      { registry: s1.registry, baseSequence: 3, action: 'threshold', threshold: { required: 2 } },
      [alpha!, bravo!],
      at,
    );
    const s4 = applyProposal(s3, th4, { appliedAt: at }).state;
    const doc = await signRegistryDocument(s4, { rootKey: root.privateKey, now: at });
    assert.equal(doc.registry, first.registry);

    const html = await registryPage(ctx, root.publicKeyRegistry!, doc);
    assert.match(html, /id="registry-verdict">valid</, 'quorum met at every step: the document is valid');
    assert.ok(
      chainRow(html, 2).includes(
        'signed by 2/2: <code>alpha</code>, <code>bravo</code><br><span class="muted">not counted: ' +
          '<code>charlie</code> (invalid-signature), <code>delta</code> (subject), ' +
          '<code>alpha</code> (duplicate-signer), <code>zulu</code> (unknown)</span>',
      ),
      chainRow(html, 2),
    );
    assert.ok(
      chainRow(html, 3).includes(
        'signed by 2/2: <code>bravo</code>, <code>charlie</code><br><span class="muted">not counted: ' +
          '<code>delta</code> (revoked)</span>',
      ),
      chainRow(html, 3),
    );
    assert.match(chainRow(html, 4), /signed by 2\/2: <code>alpha<\/code>, <code>bravo<\/code><\/td>/);
    assert.doesNotMatch(chainRow(html, 4), /not counted/, 'nothing listed where every signature counts');
    assert.match(chainRow(html, 1), /<span class="muted">root key<\/span>/);
    assert.doesNotMatch(chainRow(html, 1), /not counted/);
  },
);
