// Resource patterns `seg(:seg)*` with `*` allowed only as the whole last segment, actions, and credential scopes
// (`"<resource>:<action>"`). Pure string functions: the gateway runs them on every intercept.

/** One segment: 1 to 64 of A-Z a-z 0-9 `_ . ~ -`. */
const SEGMENT = /^[A-Za-z0-9_.~-]{1,64}$/;
/** Bounds on a resource pattern. */
export const RESOURCE_LIMITS = Object.freeze({ maxSegments: 16, maxLength: 512 });

function segments(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > RESOURCE_LIMITS.maxLength) return undefined;
  const segs = value.split(':');
  if (segs.length > RESOURCE_LIMITS.maxSegments) return undefined;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (s === '*' ? i !== segs.length - 1 : !SEGMENT.test(s)) return undefined;
  }
  return segs;
}

/**
 * Whether `value` is a resource pattern: `seg(:seg)*`, where the last segment may be `*`, meaning one or more
 * further segments (`*` alone: every resource).
 *
 * @example
 * ```ts
 * isResourcePattern('payments:invoices'); // true
 * isResourcePattern('payments:*'); // true
 * isResourcePattern('payments:*:read'); // false
 * ```
 */
export function isResourcePattern(value: unknown): value is string {
  return segments(value) !== undefined;
}

/**
 * Whether `value` is an action: one segment, or `*` for any action.
 *
 * @example
 * ```ts
 * isAction('read'); // true
 * ```
 */
export function isAction(value: unknown): value is string {
  return value === '*' || (typeof value === 'string' && SEGMENT.test(value));
}

/**
 * Whether the resource pattern `outer` covers everything `inner` names: equal patterns, or `outer` ends in `*` and
 * `inner` has more segments than `outer`'s prefix and starts with it. A pattern that is not valid covers nothing
 * and is covered by nothing.
 *
 * @example
 * ```ts
 * resourceCovers('payments:*', 'payments:invoices:42'); // true
 * resourceCovers('payments:*', 'payments'); // false
 * resourceCovers('payments:invoices', 'payments:*'); // false
 * ```
 */
export function resourceCovers(outer: string, inner: string): boolean {
  if (outer === inner) return isResourcePattern(outer);
  const o = segments(outer);
  const i = segments(inner);
  if (o === undefined || i === undefined || o[o.length - 1] !== '*') return false;
  const prefix = o.length - 1;
  if (i.length <= prefix) return false;
  for (let k = 0; k < prefix; k++) if (o[k] !== i[k]) return false;
  return true;
}

/**
 * Whether the action `outer` covers `inner`: the same action, or `outer` is `*`.
 *
 * @example
 * ```ts
 * actionCovers('*', 'read'); // true
 * actionCovers('read', '*'); // false
 * ```
 */
export function actionCovers(outer: string, inner: string): boolean {
  return isAction(outer) && isAction(inner) && (outer === '*' || outer === inner);
}

/**
 * Splits a scope entry `"<resource>:<action>"` at its last colon; undefined when either part is not valid.
 *
 * @example
 * ```ts
 * parseScopeEntry('payments:invoices:read'); // { resource: 'payments:invoices', action: 'read' }
 * ```
 */
export function parseScopeEntry(entry: unknown): { resource: string; action: string } | undefined {
  if (typeof entry !== 'string') return undefined;
  const at = entry.lastIndexOf(':');
  if (at <= 0) return undefined;
  const resource = entry.slice(0, at);
  const action = entry.slice(at + 1);
  return isResourcePattern(resource) && isAction(action) ? { resource, action } : undefined;
}

/**
 * Whether a credential scope allows `action` on the resource pattern `resource`: some entry covers both. An absent
 * scope allows everything.
 *
 * @example
 * ```ts
 * scopeAllows(['payments:*:read'], 'payments:invoices', 'read'); // true
 * ```
 */
export function scopeAllows(scope: readonly string[] | undefined, resource: string, action: string): boolean {
  if (scope === undefined) return true;
  return scope.some((entry) => {
    const e = parseScopeEntry(entry);
    return e !== undefined && resourceCovers(e.resource, resource) && actionCovers(e.action, action);
  });
}
