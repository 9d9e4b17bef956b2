// The registry page lists at most the 500 newest governance steps (modules/console/registry-page.ts
// MAX_STEPS_SHOWN), newest first, and says so when it leaves older ones out; the heading counts them all, and the
// verification still covers all of them. A chain of exactly 500 steps is listed whole, with no such note.
import assert from 'node:assert/strict';
import { applyProposal, generateKeyPair, signRegistryDocument } from '@vouch/sdk';
import type { RegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { T0 } from '../helpers/app.ts';
import { proposal, signedGenesis } from '../registry/fixtures.ts';
import { registryPage } from './registry-page.ts';

/** A root key and a document of each length: genesis, then threshold proposals (→ 2) co-signed by two issuers. */
async function chains(lengths: readonly number[]) {
  const root = await generateKeyPair('Ed25519');
  const { is, state: s1 } = await signedGenesis(root, ['alpha', 'bravo', 'charlie']);
  const at = T0 + 1000;
  const docs = new Map<number, RegistryDocument>();
  let state = s1;
  for (let n = 2; n <= Math.max(...lengths); n++) {
    const p = await proposal(
      {
        registry: s1.registry,
        baseSequence: n - 1,
        action: 'threshold',
        threshold: { required: 2 },
        reason: `step ${n}`,
      },
      [is.alpha!, is.bravo!],
      at,
    );
    state = applyProposal(state, p, { appliedAt: at }).state;
    if (lengths.includes(n)) docs.set(n, await signRegistryDocument(state, { rootKey: root.privateKey, now: at }));
  }
  return { root, docs };
}

const made = chains([500, 502]);

/** The sequences listed in the chain table, in page order. */
function listed(html: string): number[] {
  const chain = /<table id="registry-chain">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  return [...chain.matchAll(/<tr><td class="n">(\d+)<\/td>/g)].map((m) => Number(m[1]));
}

const descending = (from: number, to: number): number[] => Array.from({ length: from - to + 1 }, (_, i) => from - i);

for (const steps of [502, 500]) {
  eachEngine(
    `registry page: a chain of ${steps} steps lists ${steps > 500 ? 'the 500 newest and says so' : 'every step'}`,
    async (ctx) => {
      const { root, docs } = await made;
      const html = await registryPage(ctx, root.publicKeyRegistry!, docs.get(steps));
      assert.match(html, /id="registry-verdict">valid</);
      assert.equal(/id="registry-sequence">(\d+)</.exec(html)?.[1], String(steps));
      assert.ok(html.includes(`<h2>Governance chain (${steps} steps)</h2>`), 'the heading counts every step');
      const notes = html.match(/<p class="muted">The \d+ newest of \d+ steps\.<\/p>/g) ?? [];
      if (steps > 500) {
        assert.deepEqual(notes, [`<p class="muted">The 500 newest of ${steps} steps.</p>`]);
        assert.deepEqual(listed(html), descending(steps, steps - 499), 'the 500 newest, newest first');
      } else {
        assert.deepEqual(notes, [], 'no note when every step is listed');
        assert.deepEqual(listed(html), descending(steps, 1), 'every step, newest first, genesis last');
      }
    },
    { timeout: 180_000 },
  );
}
