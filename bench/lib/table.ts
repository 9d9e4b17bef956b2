// Plain-text tables with aligned columns, for benchmark output.

export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align?: Align;
}

/**
 * Renders rows as an aligned table with a header rule. Cells are strings; `null` rows print as a separator.
 *
 * @example
 * ```ts
 * console.log(formatTable([{ header: 'case' }, { header: 'ops/s', align: 'right' }], [['verify', '12,345']]));
 * ```
 */
export function formatTable(columns: Column[], rows: (string[] | null)[]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r ? (r[i] ?? '').length : 0))));
  const pad = (text: string, i: number): string =>
    columns[i]!.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => pad(c, i))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(columns.map((c) => c.header)), rule];
  for (const r of rows) out.push(r ? line(r) : rule);
  return out.join('\n');
}

/** 1234567.8 → '1,234,568'; small values keep some precision. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** A ratio as '0.93×'. */
export function formatRatio(r: number): string {
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}
