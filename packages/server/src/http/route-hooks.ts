import type { onRequestHookHandler, onResponseHookHandler, RouteOptions } from 'fastify';

/**
 * Adds a hook to one route from an `onRoute` hook, before (`first`) or after the route's own hooks of that kind
 * (a route option holds one hook or a list). Fastify runs the app-wide hooks of a kind before any route's.
 */
export function addRouteHook(
  route: RouteOptions,
  kind: 'onRequest',
  hook: onRequestHookHandler,
  where: 'first' | 'last',
): void;
export function addRouteHook(
  route: RouteOptions,
  kind: 'onResponse',
  hook: onResponseHookHandler,
  where: 'first' | 'last',
): void;
export function addRouteHook(
  route: RouteOptions,
  kind: 'onRequest' | 'onResponse',
  hook: onRequestHookHandler | onResponseHookHandler,
  where: 'first' | 'last',
): void {
  const value = route[kind] as unknown;
  const own = value === undefined ? [] : Array.isArray(value) ? value : [value];
  (route as unknown as Record<string, unknown>)[kind] = where === 'first' ? [hook, ...own] : [...own, hook];
}
