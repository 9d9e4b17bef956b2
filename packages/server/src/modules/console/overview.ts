// `/`: the console's overview — the trust registry in force (sequence, threshold, issuers and their status) and
// how many agents, live tokens and signatures this server holds. Counts come from each module's service.
import type { AppContext } from '../../context.ts';
import { CachedLoad } from '../../cached-load.ts';
import { escapeHtml } from '../../web/html.ts';
import { href, page } from '../../web/layout.ts';
import { countAgents } from '../agents/service.ts';
import { countAllSignatures } from '../signatures/service.ts';
import { countIssuedTokens } from '../tokens/service.ts';
import { loadRegistryView } from './registry-view.ts';
import type { RegistryView } from './registry-view.ts';

export interface OverviewCounts {
  agents: number;
  tokens: number;
  signatures: number;
}

/**
 * How long the overview's counts are reused. Each is a count over a whole table, and the page is public: counted per
 * request, anyone could make the database scan three tables for every page they fetch.
 */
export const COUNTS_MAX_AGE_MS = 10_000;

/** The counts shown on the overview, each from its owning module. */
export async function loadCounts(ctx: AppContext): Promise<OverviewCounts> {
  const [agents, tokens, signatures] = await Promise.all([
    countAgents(ctx),
    countIssuedTokens(ctx),
    countAllSignatures(ctx),
  ]);
  return { agents, tokens, signatures };
}

const count = (id: string, label: string, n: number): string =>
  `<div><strong id="count-${id}">${n}</strong>${escapeHtml(label)}</div>`;

function registrySection(ctx: AppContext, view: RegistryView): string {
  if (!view.available) {
    return `<h2>Trust registry</h2><p class="muted" id="registry-unavailable">${escapeHtml(view.reason)}</p>`;
  }
  const { trusted, report } = view;
  const { doc } = trusted;
  const issuers = [
    ...doc.issuers.map((e) => ({ id: e.id, name: e.metadata.name, status: 'active' })),
    ...doc.revoked.map((r) => ({ id: r.id, name: `removed: ${r.reason}`, status: 'revoked' })),
  ];
  const rows = issuers
    .map(
      (i) =>
        `<tr><td><code>${escapeHtml(i.id)}</code></td><td>${escapeHtml(i.name)}</td>` +
        `<td><span class="status status-${i.status}">${i.status}</span></td></tr>`,
    )
    .join('');
  const verdict = report.valid ? 'valid' : 'invalid';
  return `<h2>Trust registry</h2>
<dl>
<dt>Sequence</dt><dd id="registry-sequence">${trusted.sequence}</dd>
<dt>Threshold</dt><dd id="registry-threshold">${doc.threshold.required} of ${doc.threshold.total}</dd>
<dt>Verification</dt><dd><span class="status status-${verdict}" id="registry-verdict">${verdict}</span></dd>
</dl>
<table id="registry-issuers"><thead><tr><th>Issuer</th><th>Name</th><th>Status</th></tr></thead><tbody>${rows}</tbody></table>
<p><a href="${href(ctx, '/registry')}">Issuers, co-signers and the governance chain</a></p>`;
}

/** One process's overview counts: one count at a time however many requests wait, reused for {@link COUNTS_MAX_AGE_MS}. */
export function cachedCounts(ctx: AppContext): () => Promise<OverviewCounts> {
  const cache = new CachedLoad(ctx.clock, () => loadCounts(ctx));
  return () => cache.get(COUNTS_MAX_AGE_MS);
}

/** The overview page: the counts, the server's public URL and the trust registry's state. */
export async function renderOverview(ctx: AppContext, counts: () => Promise<OverviewCounts>): Promise<string> {
  const [counted, view] = await Promise.all([counts(), loadRegistryView(ctx)]);
  const body = `<h1>Vouch</h1>
<p class="muted">Server <code>${escapeHtml(ctx.config.publicUrl)}</code></p>
<div class="counts">${count('agents', 'agents', counted.agents)}${count('tokens', 'live tokens', counted.tokens)}${count(
    'signatures',
    'signatures',
    counted.signatures,
  )}</div>
<p class="muted" id="counts-age">Counted at most ${COUNTS_MAX_AGE_MS / 1000} s ago.</p>
${registrySection(ctx, view)}`;
  return page(ctx, 'Overview — Vouch', body, { nav: 'overview' });
}
