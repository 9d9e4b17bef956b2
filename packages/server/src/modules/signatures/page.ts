// The signature page, `/verify/{signatureHash}` (identity.app's `verifyUrl`): server-rendered, every value escaped,
// readable without JavaScript. Its certify form works with the same-origin `/assets/certify.js`.
import type { AppContext } from '../../context.ts';
import { code, escapeHtml } from '../../web/html.ts';
import { basePath, page, when } from '../../web/layout.ts';
import { findSignature } from './service.ts';
import { signatureView } from './view.ts';
import type { SignatureView } from './view.ts';

const none = '<span class="muted">none</span>';

/**
 * The key to check the signature with (the verify instructions' signerPublicKey): the key that made it, which is not
 * the agent's current key once the agent has rotated; for a record from before servers kept it, the current key.
 */
function signerKey(v: SignatureView): string {
  const key = v.signerPublicKey ?? v.agent.publicKey;
  if (key === null) return none;
  const shown = `<span id="signer-public-key">${code(key)}</span>`;
  if (v.signerPublicKey === null) {
    return (
      `${shown}<br><span class="muted" id="signer-key-current">The agent's current key: this record predates ` +
      'keeping the key that signed, which was another if the agent has rotated its key since.</span>'
    );
  }
  if (v.agent.publicKey === v.signerPublicKey) return shown;
  return (
    `${shown}<br><span class="muted" id="signer-key-rotated">The key the agent signed with. It has rotated its key ` +
    'since: its current key does not verify this signature.</span>'
  );
}

/** The page's HTML for a view. Every value that came from a client is escaped. */
export function renderSignatureView(ctx: AppContext, v: SignatureView): string {
  const a = v.agent;
  const base = basePath(ctx);
  const signer = a.publicName ?? a.handle ?? a.did;
  const agentPath = `${base}/verify/${a.handle ?? a.did.slice('did:identity:'.length)}`;
  const facts: Array<[string, string]> = [
    ['Signed by', `<a href="${escapeHtml(agentPath)}" id="signer-name">${escapeHtml(signer)}</a>`],
    ['DID', `<span id="signer-did">${code(a.did)}</span>`],
    ['Handle', a.handle === null ? none : code(a.handle)],
    [
      'Agent status',
      `<span class="status status-${escapeHtml(a.status)}" id="agent-status">${escapeHtml(a.status)}</span>`,
    ],
    ['Active since', when(a.activeSince)],
    [
      'Owner',
      v.owner === null
        ? '<span class="muted">unclaimed</span>'
        : `${escapeHtml(v.owner.name)} (${code(v.owner.handle)})`,
    ],
    ['Signed at', `<span id="signed-at">${when(v.signedAt)}</span>`],
    ['Note', v.publicNote === null ? none : `<span id="public-note">${escapeHtml(v.publicNote)}</span>`],
    // Never shown as the agent's words: anyone who had the signature before it was recorded could have written it.
    ...(v.unverifiedNote === null
      ? []
      : [
          [
            'Unverified note',
            `<span id="unverified-note">${escapeHtml(v.unverifiedNote)}</span><br><span class="muted">Not ` +
              'signed by the agent: whoever first submitted this signature attached it.</span>',
          ] as [string, string],
        ]),
    ['Payload hash (SHA-256)', `<span id="payload-hash">${code(v.payloadHash)}</span>`],
    ['Signature (Ed25519)', code(v.signature)],
    ['Signer key (Ed25519)', signerKey(v)],
    ['Signature hash', code(v.signatureHash)],
    ['Reputation', `<span id="reputation-score">${v.reputation.score}</span><span class="muted"> / 100</span>`],
    ['Signatures by this agent', `<span id="total-signatures">${v.reputation.totalSignatures}</span>`],
    [
      'Certifications',
      `<span id="certification-count">${v.certificationCount}</span><br><span class="muted" ` +
        'id="certification-meaning">Checks whose hash matched, at most one per address per day. The payload hash ' +
        'is public, so this does not show that anyone holds the content.</span>',
    ],
  ];
  const body = `<h1 id="signature-title">Signed by ${escapeHtml(signer)}</h1>
<p><span class="status status-valid" id="signature-valid">valid signature</span>${
    a.status === 'revoked' ? ' <span class="status status-revoked">agent revoked</span>' : ''
  }</p>
<dl>${facts.map(([k, val]) => `<dt>${escapeHtml(k)}</dt><dd>${val}</dd>`).join('')}</dl>
<h2>Check your copy of the content</h2>
<p>Choose the file, or paste the text, you were given. Your browser computes its SHA-256; only that hash is sent.</p>
<noscript><p class="muted" id="certify-needs-script">Checking here needs JavaScript. Without it, compute the SHA-256
of the content yourself (e.g. <code>sha256sum</code>) and compare it with the payload hash above.</p></noscript>
<form id="certify-form" data-signature-hash="${escapeHtml(v.signatureHash)}" data-certify-url="${escapeHtml(
    `${base}/api/v1/signatures/certify`,
  )}">
<p><label for="certify-file">File</label><br><input type="file" id="certify-file"></p>
<p><label for="certify-text">or text</label><br><textarea id="certify-text" rows="6"></textarea></p>
<button type="button" id="certify-button">Check</button>
<p id="certify-result" role="status" aria-live="polite"></p>
</form>
<h2>Verify it yourself</h2>
<p>${escapeHtml(v.verification.instructions)}</p>
<p class="muted">JSON: ${code(`${ctx.config.publicUrl}/api/v1/signatures/verify?hash=${v.signatureHash}`)}</p>
<script src="${escapeHtml(`${base}/assets/certify.js`)}" defer></script>`;
  return page(ctx, `Signature by ${signer} — Vouch`, body);
}

/**
 * The signature page for `signatureHash`, or undefined when no signature has it (the caller answers 404).
 *
 * @example
 * const html = await renderSignaturePage(ctx, x);
 */
export async function renderSignaturePage(ctx: AppContext, signatureHash: string): Promise<string | undefined> {
  const sig = await findSignature(ctx, signatureHash);
  if (sig === undefined) return undefined;
  return renderSignatureView(ctx, await signatureView(ctx, sig, null));
}
