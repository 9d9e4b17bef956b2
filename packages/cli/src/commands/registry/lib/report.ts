// How verification results print: one line per active issuer ("signed by n/m") and one per failure, naming its
// rule, step and issuer.
import type { QuorumResult, RegistryFailure, RegistryVerification } from '@vouch/sdk';

export function failureLine(f: RegistryFailure): string {
  const where = [
    `rule ${f.rule}`,
    f.step !== undefined ? `step ${f.step}` : '',
    f.issuerId ? `issuer ${f.issuerId}` : '',
  ]
    .filter((s) => s !== '')
    .join(', ');
  return `${where}: ${f.code}: ${f.message}`;
}

export function quorumLine(q: QuorumResult): string {
  const ignored = q.ignored.map((i) => `${i.issuerId} (${i.reason})`).join(', ');
  return `${q.text}${q.signers.length > 0 ? ` by ${q.signers.join(', ')}` : ''}${ignored ? `; not counted: ${ignored}` : ''}`;
}

/** The human form of a verification report. */
export function formatVerification(r: RegistryVerification, options: { id?: string; pinned: boolean }): string {
  const lines = [
    `registry ${r.registry}, sequence ${r.sequence}, threshold ${r.threshold.required} of ${r.threshold.total}, expires ${r.expiresAt}`,
  ];
  if (!options.pinned) {
    lines.push('warning: root key not pinned (--root-key): checked against the root key the document names itself');
  }
  const width = Math.max(2, ...r.entries.map((e) => e.id.length));
  for (const e of r.entries) {
    if (options.id !== undefined && e.id !== options.id) continue;
    const how =
      e.kind === 'genesis' ? e.text : `${e.text} (step ${e.step}, ${e.kind === 'admit' ? 'admitted' : 'proposal'})`;
    lines.push(`  ${e.id.padEnd(width)}  ${how}`);
  }
  for (const f of r.failures) lines.push(`  FAIL ${failureLine(f)}`);
  lines.push(
    r.valid ? `VALID (checked at ${r.checkedAt}; chain ${r.chainHash})` : `INVALID: ${r.failures.length} failure(s)`,
  );
  return lines.join('\n');
}
