// Metric declarations on the command line (`--metric key:polarity:weight:lane[:maxPerDay]`) or from a JSON file.
import { readFileUpTo } from '@vouch/server/files';
import { sizeText, utf8Text } from '../../read.ts';
import { CliError, EXIT } from '../../exit.ts';

/** The server's lanes (docs/PROTOCOL.md, integrators). */
const LANES = new Set(['origin', 'presence', 'conduct']);

// A weight and a maxPerDay are written in decimal: Number() also reads `0x10`, `0b11`, `0o7` and surrounding spaces.
// One way to match each text (digits, then a dot and its fraction, if any): `\d+\.?\d*` split a long run of digits
// every way before failing, quadratic in its length.
const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;
const INTEGER = /^[-+]?\d+$/;

export interface MetricArg {
  metricKey: string;
  polarity: string;
  weight: number;
  lane: string;
  maxPerDay?: number;
}

/**
 * Parses `key:polarity:weight:lane[:maxPerDay]`, e.g. `tasks_completed:boost:1:conduct:10`. A metric key may itself
 * hold colons (`orders:refunded:hurt:2:conduct`), so the fields are taken from the right: the last is `maxPerDay`
 * when it follows a lane's name and is none itself, or when it is a number (a lane never is). The server checks the
 * values; this only splits them.
 */
export function parseMetric(spec: string): MetricArg {
  const parts = spec.split(':');
  const last = parts.at(-1)!;
  // A field after a lane's name can only be maxPerDay, whatever it holds, so a bad one is named as such.
  const afterLane = LANES.has(parts.at(-2)!) && !LANES.has(last);
  const withMax = parts.length >= 5 && (afterLane || (last.trim() !== '' && Number.isFinite(Number(last))));
  const tail = withMax ? 4 : 3;
  const metricKey = parts.slice(0, parts.length - tail).join(':');
  if (parts.length < 4 || metricKey === '') {
    throw new CliError(`--metric "${spec}" must be key:polarity:weight:lane[:maxPerDay].`, EXIT.USAGE);
  }
  const [polarity, weight, lane, maxPerDay] = parts.slice(parts.length - tail) as [string, string, string, string?];
  const w = Number(weight);
  if (!DECIMAL.test(weight) || !Number.isFinite(w)) throw new CliError(`--metric "${spec}": weight must be a number.`);
  const out: MetricArg = { metricKey, polarity, weight: w, lane };
  if (maxPerDay !== undefined) {
    const m = Number(maxPerDay);
    if (!INTEGER.test(maxPerDay) || !Number.isInteger(m))
      throw new CliError(`--metric "${spec}": maxPerDay must be an integer.`);
    out.maxPerDay = m;
  }
  return out;
}

// The server takes at most 200 metrics of up to 200 bytes each (its body limit on this route is 128 KiB); the file is
// sent re-serialized, so it may be indented or spaced well beyond that: read up to 1 MiB.
const MAX_METRICS_FILE_BYTES = 1024 * 1024;

/** A JSON file holding an array of metrics (or `{metrics: [...]}`), at most 1 MiB. */
export async function readMetricsFile(file: string): Promise<unknown[]> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileUpTo(file, MAX_METRICS_FILE_BYTES);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`);
  }
  if (bytes === undefined) {
    throw new CliError(
      `cannot read ${file}: more than ${sizeText(MAX_METRICS_FILE_BYTES)}, too large for a metrics file.`,
    );
  }
  const text = utf8Text(bytes);
  if (text === undefined) throw new CliError(`cannot read ${file}: not UTF-8 text.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`cannot read ${file}: not JSON.`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { metrics?: unknown } | null)?.metrics;
  if (!Array.isArray(list)) throw new CliError(`${file} must hold an array of metrics or {"metrics": [...]}.`);
  return list;
}
