// One warning per period for conditions that repeat while they last (a database outage, a flapping link): the first
// occurrence is logged at once, later ones are counted, and the next line says how many went unlogged.

/**
 * Returns `take(nowMs)`: the number of occurrences held back since the last line when this one should be logged,
 * or `undefined` when it falls within `everyMs` of the last line (it is counted instead). Within, either way: the
 * wall clock may be set back, and a time a whole period before the last line is logged rather than held back until
 * the clock is past it again.
 *
 * @example
 * const take = logThrottle(10_000);
 * const suppressed = take(clock.now());
 * if (suppressed !== undefined) log.warn({ suppressed }, 'store unavailable');
 */
export function logThrottle(everyMs: number): (nowMs: number) => number | undefined {
  let lastAtMs = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (nowMs) => {
    if (Math.abs(nowMs - lastAtMs) < everyMs) {
      suppressed += 1;
      return undefined;
    }
    const held = suppressed;
    lastAtMs = nowMs;
    suppressed = 0;
    return held;
  };
}
