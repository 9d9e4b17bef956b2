// Internal: equality of two JSON values as RFC 8785 would see it (same members regardless of order, same arrays,
// same primitives), without building canonical strings: rule 3 compares every listed entry with its replay.
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // Canonical JSON prints -0 as 0.
    return typeof a === 'number' && typeof b === 'number' && a === b;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    if (a.length !== y.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], y[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const names = Object.keys(x);
  if (names.length !== Object.keys(y).length) return false;
  for (const name of names) if (!Object.hasOwn(y, name) || !jsonEqual(x[name], y[name])) return false;
  return true;
}
