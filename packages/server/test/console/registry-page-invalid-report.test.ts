// The registry page shows a report that fails as such (modules/console/registry-page.ts `verification`): the verdict
// "invalid" and one line per failure with its rule, code, step and issuer where it has them, and its message. No
// document in force fails its verification through the routes (the registry module serves only verified ones), so
// the page is rendered here from the SDK's own reports on a document with a step short of its quorum: checked against
// its root key (rule 2, at step 2, about delta) and against another key (rule 1, about no step or issuer).
import assert from 'node:assert/strict';
import { applyProposal, generateKeyPair, signRegistryDocument, verifyRegistry } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { renderRegistryPage } from '../../src/modules/console/registry-page.ts';
import { proposal, signedGenesis } from '../registry/fixtures.ts';

eachEngine('registry page: a failing report reads "invalid" and lists each failure', async ({ open }) => {
  const root = await generateKeyPair('Ed25519');
  const other = await generateKeyPair('Ed25519');
  const { is, state } = await signedGenesis(root, ['alpha', 'bravo', 'charlie', 'delta']);
  const at = T0 + 1000;
  const rm = await proposal(
    { registry: state.registry, baseSequence: 1, action: 'remove', subject: 'delta', reason: 'left' },
    [is.alpha!],
    at,
  );
  const s2 = applyProposal(state, rm, { appliedAt: at });
  const doc = await signRegistryDocument(s2.state, { rootKey: root.privateKey, now: at });
  const short = await verifyRegistry(doc, { rootKey: root.publicKeyRegistry!, now: at + 1000 });
  const foreign = await verifyRegistry(doc, { rootKey: other.publicKeyRegistry!, now: at + 1000 });

  const t = await makeApp(await open(), { env: { VOUCH_PUBLIC_URL: 'https://vouch.test' } });
  try {
    const trusted = { doc, sequence: s2.state.sequence, chainHash: s2.state.chainHash };
    const verification = (report: typeof short): string => {
      const html = renderRegistryPage(t.ctx, { available: true, mode: 'consumer', trusted, report });
      return /<h2>Verification<\/h2>[\s\S]*?(?=<h2>)/.exec(html)?.[0] ?? '';
    };
    const checked = 'checked 2026-01-01 00:00:02 UTC against the pinned root key; expires 2026-01-08 00:00:01 UTC';
    const expected = (failures: string): string =>
      `<h2>Verification</h2>
<p><span class="status status-invalid" id="registry-verdict">invalid</span>
<span class="muted">${checked}</span></p>
<ul id="registry-failures">${failures}</ul>
`;
    assert.equal(
      verification(short),
      expected(
        '<li class="error">Rule 2, <code>QUORUM_NOT_MET</code>, step 2, issuer <code>delta</code>: ' +
          'remove delta is signed by 1/2.</li>',
      ),
    );
    assert.equal(
      verification(foreign),
      expected(
        '<li class="error">Rule 1, <code>REGISTRY_SIGNATURE_INVALID</code>: ' +
          'the root signature does not verify with the pinned root key.</li>',
      ),
    );
  } finally {
    await t.app.close();
  }
});
