// One instance per app, made on first use and dropped with the app: the caches and key sets a module keeps for the
// life of an app context (several apps can share a process, e.g. in tests, so nothing is module-global).
import type { AppContext } from './context.ts';

/**
 * Wraps `make` so each app context gets its own instance, made once.
 *
 * @example
 * export const keyringOf = perApp((ctx) => new Keyring(ctx));
 */
export function perApp<T>(make: (ctx: AppContext) => T): (ctx: AppContext) => T {
  const made = new WeakMap<AppContext, T>();
  return (ctx) => {
    let value = made.get(ctx);
    if (value === undefined) {
      value = make(ctx);
      made.set(ctx, value);
    }
    return value;
  };
}
