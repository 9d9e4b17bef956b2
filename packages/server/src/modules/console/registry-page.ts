// `/registry`: the trust registry in force — every active issuer with the step that admitted it, its co-signers
// and "signed by n/m", the revoked issuers, the governance chain step by step, and the verification report.
import type { GovernanceStep, RegistryVerification } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { code, escapeHtml } from '../../web/html.ts';
import { page, when } from '../../web/layout.ts';
import type { RegistryView } from './registry-view.ts';

/** Only the newest steps of a very long chain are listed; verification covers all of them. */
const MAX_STEPS_SHOWN = 500;

const list = (items: readonly string[]): string =>
  items.length === 0 ? '<span class="muted">none</span>' : items.map(code).join(', ');

function verification(report: RegistryVerification): string {
  const verdict = report.valid ? 'valid' : 'invalid';
  const failures =
    report.failures.length === 0
      ? ''
      : `<ul id="registry-failures">${report.failures
          .map(
            (f) =>
              `<li class="error">Rule ${f.rule}, ${code(f.code)}${f.step === undefined ? '' : `, step ${f.step}`}${
                f.issuerId === undefined ? '' : `, issuer ${code(f.issuerId)}`
              }: ${escapeHtml(f.message)}</li>`,
          )
          .join('')}</ul>`;
  return `<h2>Verification</h2>
<p><span class="status status-${verdict}" id="registry-verdict">${verdict}</span>
<span class="muted">checked ${when(report.checkedAt)} against the pinned root key; expires ${when(report.expiresAt)}</span></p>
${failures}`;
}

function issuersTable(view: Extract<RegistryView, { available: true }>): string {
  const byId = new Map(view.report.entries.map((e) => [e.id, e]));
  const rows = view.trusted.doc.issuers
    .map((e) => {
      const r = byId.get(e.id);
      return `<tr id="issuer-${escapeHtml(e.id)}"><td>${code(e.id)}<br>${escapeHtml(e.metadata.name)}</td>
<td>${escapeHtml(e.endpoint)}<br><span class="muted">${code(e.publicKey)}</span></td>
<td>${r === undefined ? '' : `step ${r.step} (${escapeHtml(r.kind)})`}</td>
<td class="signed-by">${r === undefined ? '' : escapeHtml(r.text)}</td>
<td>${r === undefined ? '' : list(r.signers)}</td></tr>`;
    })
    .join('');
  return `<h2>Issuers (${view.trusted.doc.issuers.length})</h2>
<div class="scroll"><table id="registry-issuers"><thead><tr><th>Issuer</th><th>Endpoint and key</th><th>Admitted</th><th>Quorum</th>
<th>Co-signers</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function revokedTable(view: Extract<RegistryView, { available: true }>): string {
  const { revoked } = view.trusted.doc;
  if (revoked.length === 0) return '<h2>Revoked issuers</h2><p class="muted" id="registry-revoked">None.</p>';
  const rows = revoked
    .map(
      (r) =>
        `<tr><td>${code(r.id)}</td><td>${when(r.revokedAt)}</td><td>${escapeHtml(r.reason)}</td><td>${code(r.publicKey)}</td></tr>`,
    )
    .join('');
  return `<h2>Revoked issuers (${revoked.length})</h2>
<div class="scroll"><table id="registry-revoked"><thead><tr><th>Issuer</th><th>Revoked</th><th>Reason</th><th>Key</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

function stepWhat(step: GovernanceStep): string {
  switch (step.kind) {
    case 'genesis':
      return `genesis: ${list(step.issuers.map((e) => e.id))}, threshold ${step.threshold.required}`;
    case 'admit':
      return `admit ${code(step.entry.id)}`;
    case 'proposal': {
      const p = step.proposal;
      const what =
        p.action === 'threshold'
          ? `threshold → ${p.threshold?.required ?? '?'}`
          : `${p.action} ${code(p.subject ?? '')}`;
      return p.reason === undefined ? what : `${what} <span class="muted">(${escapeHtml(p.reason)})</span>`;
    }
  }
}

function chainTable(view: Extract<RegistryView, { available: true }>): string {
  const { governance } = view.trusted.doc;
  const reports = new Map(view.report.steps.map((s) => [s.sequence, s]));
  const shown = governance.slice(-MAX_STEPS_SHOWN).reverse();
  const rows = shown
    .map((step) => {
      const r = reports.get(step.sequence);
      const q = r?.quorum;
      const ignored =
        q === undefined || q.ignored.length === 0
          ? ''
          : `<br><span class="muted">not counted: ${q.ignored
              .map((i) => `${code(i.issuerId)} (${escapeHtml(i.reason)})`)
              .join(', ')}</span>`;
      return `<tr><td class="n">${step.sequence}</td><td>${stepWhat(step)}</td><td>${when(step.appliedAt)}</td>
<td>${q === undefined ? '<span class="muted">root key</span>' : `${escapeHtml(q.text)}: ${list(q.signers)}${ignored}`}</td>
<td>${r === undefined ? '' : code(r.hash.slice(0, 16))}</td></tr>`;
    })
    .join('');
  const more =
    governance.length > shown.length
      ? `<p class="muted">The ${shown.length} newest of ${governance.length} steps.</p>`
      : '';
  return `<h2>Governance chain (${governance.length} steps)</h2>${more}
<div class="scroll"><table id="registry-chain"><thead><tr><th>Step</th><th>Change</th><th>Applied</th><th>Co-signed</th><th>Hash</th></tr>
</thead><tbody>${rows}</tbody></table></div>`;
}

/** The registry page. */
export function renderRegistryPage(ctx: AppContext, view: RegistryView): string {
  if (!view.available) {
    const body = `<h1>Trust registry</h1><p class="muted" id="registry-unavailable">${escapeHtml(view.reason)}</p>`;
    return page(ctx, 'Trust registry — Vouch', body, { nav: 'registry' });
  }
  const { trusted, mode } = view;
  const { doc } = trusted;
  const body = `<h1>Trust registry</h1>
<dl>
<dt>Registry</dt><dd>${code(doc.registry)}</dd>
<dt>Mode</dt><dd>${mode === 'authority' ? 'authority (this server holds the root key)' : 'consumer (read-only)'}</dd>
<dt>Sequence</dt><dd id="registry-sequence">${trusted.sequence}</dd>
<dt>Chain hash</dt><dd>${code(trusted.chainHash)}</dd>
<dt>Threshold</dt><dd id="registry-threshold">${doc.threshold.required} of ${doc.threshold.total}</dd>
<dt>Signed</dt><dd>${when(doc.updatedAt)}</dd>
</dl>
${verification(view.report)}
${issuersTable(view)}
${revokedTable(view)}
${chainTable(view)}`;
  return page(ctx, 'Trust registry — Vouch', body, { nav: 'registry', wide: true });
}
