// The reputation formula (docs/reputation.md), as pure functions. Contributions are integer micro-points
// (1 point = 1,000,000 micro-points) so that totals are exact whatever order they are added in.

export const LANES = ['origin', 'presence', 'conduct'] as const;
export type Lane = (typeof LANES)[number];
export const POLARITIES = ['boost', 'hurt', 'neutral'] as const;
export type Polarity = (typeof POLARITIES)[number];

/** Micro-points per point. */
export const MICRO = 1_000_000;
/** A number contributes at most this many times its weight. */
export const NUMBER_CAP = 10;
/** Every lane of a new agent. */
export const BASE_LANE_SCORE = 50;
/**
 * A report penalty counts against the global score for this long after the report, then expires (docs/reputation.md):
 * a burst of reports lowers a score for a while, never for good.
 */
export const PENALTY_LIFETIME_MS = 30 * 86_400_000;
/**
 * Lane weights of the global and integrator scores (0.2, 0.3, 0.5) in tenths: with them a score is an exact integer
 * of tenths of micro-points.
 */
export const LANE_WEIGHT_TENTHS: Readonly<Record<Lane, number>> = { origin: 2, presence: 3, conduct: 5 };

/** How an integrator maps one of its metrics onto reputation, for one environment version. */
export interface MetricDefinition {
  metricKey: string;
  polarity: Polarity;
  weight: number;
  lane: Lane;
  maxPerDay: number;
}

/** One metric value of an event: exactly one of the three value fields is set. */
export interface MetricValue {
  metricKey: string;
  numberValue?: number;
  booleanValue?: boolean;
  enumValue?: string;
}

/** `v` of the formula: 1 for true or any enum value, 0 for false, `min(number, 10)` for numbers. */
export function valueOf(mv: MetricValue): number {
  if (mv.booleanValue !== undefined) return mv.booleanValue ? 1 : 0;
  if (mv.enumValue !== undefined) return 1;
  return Math.min(mv.numberValue ?? 0, NUMBER_CAP);
}

/**
 * `weight × (+1 boost | −1 hurt) × v` in micro-points, rounded to the nearest integer, halves away from zero; 0 for
 * neutral metrics.
 *
 * @example
 * contributionMicro({ metricKey: 'x', polarity: 'hurt', weight: 2, lane: 'conduct', maxPerDay: 10 },
 *   { metricKey: 'x', numberValue: 3 }); // -6_000_000
 */
export function contributionMicro(def: MetricDefinition, mv: MetricValue): number {
  if (def.polarity === 'neutral') return 0;
  const sign = def.polarity === 'boost' ? 1 : -1;
  // The magnitude is rounded, then signed: Math.round takes halves up (-2.5 → -2, 2.5 → 3), so a hurt value would
  // weigh less than the same boost value, and one of half a micro-point would round to 0 and take no slot.
  const micro = sign * productMicro(def.weight, valueOf(mv));
  return micro === 0 ? 0 : micro; // never -0
}

/**
 * |w × v| × 1,000,000 rounded to an integer, halves away from zero, of the decimals `w` and `v` are written as (their
 * shortest form, as JSON and the stored event carry them). The floating-point product is a few units in its last
 * place off, which took some exact halves down: 0.0001245 × 1 × 10⁶ is 124.49999999999999. Away from a half it
 * rounds the same (|w × v| × 10⁶ ≤ 10⁹, so it is within 10⁻⁶ of the exact product), and is used as it is.
 */
function productMicro(w: number, v: number): number {
  const p = Math.abs(w * v * MICRO);
  if (Math.abs(p - Math.floor(p) - 0.5) > 1e-5) return Math.round(p);
  const a = decimalOf(Math.abs(w));
  const b = decimalOf(Math.abs(v));
  const digits = a.digits * b.digits;
  const exponent = a.exponent + b.exponent + 6;
  if (exponent >= 0) return Number(digits * 10n ** BigInt(exponent));
  const unit = 10n ** BigInt(-exponent);
  const q = digits / unit;
  return Number(2n * (digits % unit) >= unit ? q + 1n : q);
}

/** A finite number ≥ 0 as `digits × 10^exponent`, from its shortest decimal form (`String`: 0.000075, 1.245e-7). */
function decimalOf(x: number): { digits: bigint; exponent: number } {
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x))!;
  const fraction = m[2] ?? '';
  return { digits: BigInt(m[1]! + fraction), exponent: Number(m[3] ?? 0) - fraction.length };
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/**
 * `units` (an integer count of 1/`perPoint` points, `perPoint` a multiple of 100) as the two-decimal number it is
 * published as: rounded halves away from zero in integers, then divided once, so the answer is the double nearest that
 * decimal. `Math.round(x * 100) / 100` of the float `x` rounded some halves down: 48.115 is the double 48.114999….
 *
 * @example
 * twoDecimals(48_115_000, MICRO); // 48.12
 */
export function twoDecimals(units: number, perPoint: number): number {
  const perHundredth = perPoint / 100;
  const n = Math.abs(units);
  const q = Math.floor(n / perHundredth);
  const hundredths = n - q * perHundredth >= perHundredth / 2 ? q + 1 : q;
  const out = (units < 0 ? -hundredths : hundredths) / 100;
  return out === 0 ? 0 : out; // never -0
}

/** A lane's score in micro-points, clamp(50 + sum, 0, 100) points: an exact integer. */
export function laneMicro(micro: number): number {
  return clamp(BASE_LANE_SCORE * MICRO + micro, 0, 100 * MICRO);
}

/** A lane's published score: {@link laneMicro} with two decimals. */
export function laneScore(micro: number): number {
  return twoDecimals(laneMicro(micro), MICRO);
}

export type LaneMicro = Readonly<Record<Lane, number>>;

/**
 * The published score, two decimals of clamp(0.2·origin + 0.3·presence + 0.5·conduct − penalty, 0, 100) from the
 * unrounded lanes, worked exactly in tenths of micro-points. For the global score `penalty` is the sum of the report
 * penalties in force (see {@link PENALTY_LIFETIME_MS}).
 */
export function weightedScore(lanes: LaneMicro, penalty = 0): number {
  const perPoint = 10 * MICRO;
  let s = 0;
  for (const lane of LANES) s += LANE_WEIGHT_TENTHS[lane] * laneMicro(lanes[lane]);
  return twoDecimals(clamp(s - Math.round(penalty * perPoint), 0, 100 * perPoint), perPoint);
}

/** The UTC day number of a ms timestamp (the `maxPerDay` window). */
export function utcDay(ms: number): number {
  return Math.floor(ms / 86_400_000);
}
