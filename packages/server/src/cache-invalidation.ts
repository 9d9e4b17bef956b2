// What an app caches of shared state, forgotten when another process changes it: each cache registers the topics it
// depends on, and the app's storage feed (storage/changes.ts: PostgreSQL LISTEN/NOTIFY) calls it when one of them is
// announced, or when announcements may have been missed (a listener reconnecting). The caches keep their own
// lifetimes as the bound while no listener hears (a lost connection, SQLite's single process).
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import { EVERYTHING } from './storage/index.ts';
import { perApp } from './per-app.ts';

export { serverKeysTopic } from './storage/index.ts';

type Forget = () => void;
type ForgetOne = (rest: string) => void;

const forgettersOf = perApp(() => new Map<string, Set<Forget>>());
const prefixForgettersOf = perApp(() => new Map<string, Set<ForgetOne>>());

/**
 * Calls `forget` whenever one of `topics` is announced on the app's database (by any process, this one included:
 * forgetting must be idempotent), and whenever announcements may have been missed. Cheap: the hot paths that read
 * the cache are unchanged, the cost is one reload after a change.
 *
 * @example
 * onSharedChange(ctx, [serverKeysTopic('tokens')], () => cache.invalidate());
 */
export function onSharedChange(ctx: AppContext, topics: readonly string[], forget: Forget): void {
  const byTopic = forgettersOf(ctx);
  for (const topic of [...topics, EVERYTHING]) {
    let set = byTopic.get(topic);
    if (set === undefined) byTopic.set(topic, (set = new Set()));
    set.add(forget);
  }
}

/**
 * Calls `forget` with the rest of every announced topic that starts with `prefix` (`<prefix><rest>`, by any process,
 * this one included), for caches that forget one entry per announcement (one principal's keys) rather than all.
 * Not called for {@link EVERYTHING}: such a cache must bound its staleness itself while announcements go unheard.
 *
 * @example
 * onSharedChangeUnder(ctx, 'keys_dropped:', (rest) => cache.forgetId(rest));
 */
export function onSharedChangeUnder(ctx: AppContext, prefix: string, forget: ForgetOne): void {
  const byPrefix = prefixForgettersOf(ctx);
  let set = byPrefix.get(prefix);
  if (set === undefined) byPrefix.set(prefix, (set = new Set()));
  set.add(forget);
}

/** Calls the caches that depend on `topic` (all of them for {@link EVERYTHING}); a failing one stops no other. */
export function forgetShared(ctx: AppContext, topic: string): void {
  for (const forget of forgettersOf(ctx).get(topic) ?? []) guarded(() => forget());
  if (topic === EVERYTHING) return;
  for (const [prefix, set] of prefixForgettersOf(ctx)) {
    if (!topic.startsWith(prefix)) continue;
    const rest = topic.slice(prefix.length);
    for (const forget of set) guarded(() => forget(rest));
  }
}

function guarded(forget: () => void): void {
  try {
    forget();
  } catch {
    // Forgetting is setting a field: nothing should throw, and a throw must not reach the listener's socket.
  }
}

/** Subscribes the app to its storage's change feed for as long as it runs (buildApp). */
export function listenForSharedChanges(app: FastifyInstance, ctx: AppContext): void {
  const unsubscribe = ctx.storage.changes.subscribe((topic) => forgetShared(ctx, topic));
  app.addHook('onClose', (_instance, done) => {
    unsubscribe();
    done();
  });
}
