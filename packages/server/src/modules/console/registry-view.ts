// The trust registry as the console shows it: the document in force (through the registry module's service) and
// its verification report against the pinned root key, computed by the SDK's verifier, the one every consumer uses.
import { verifyRegistry, VouchError } from '@vouch/sdk';
import type { RegistryVerification } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { getTrustedRegistry, registryRuntime } from '../registry/service.ts';
import type { TrustedRegistry } from '../registry/service.ts';

export type RegistryView =
  | { available: true; mode: 'authority' | 'consumer'; trusted: TrustedRegistry; report: RegistryVerification }
  | { available: false; reason: string };

/** Reports are reused for the same document object for a minute (a large registry costs one verification each). */
const REPORT_TTL_MS = 60_000;
const reports = new WeakMap<object, { at: number; report: Promise<RegistryVerification> }>();

async function rootKeyOf(ctx: AppContext): Promise<string | undefined> {
  const rt = registryRuntime(ctx);
  if (rt.mode === 'authority') return (await rt.authority.rootKey()).publicKey;
  return ctx.config.registry.trustRootKey;
}

/**
 * The registry in force with its verification report, or why there is none (no genesis yet, nothing valid
 * fetched, the module not enabled).
 *
 * @example
 * const view = await loadRegistryView(ctx);
 * if (view.available) console.log(view.report.valid, view.trusted.sequence);
 */
export async function loadRegistryView(ctx: AppContext): Promise<RegistryView> {
  let trusted: TrustedRegistry;
  let rootKey: string | undefined;
  try {
    trusted = await getTrustedRegistry(ctx);
    rootKey = await rootKeyOf(ctx);
  } catch (err) {
    if (err instanceof ApiError && (err.code === 'REGISTRY_UNAVAILABLE' || err.code === 'REGISTRY_READ_ONLY')) {
      return { available: false, reason: err.message };
    }
    throw err;
  }
  if (rootKey === undefined) return { available: false, reason: 'No registry root key is configured.' };
  const now = ctx.clock.now();
  let cached = reports.get(trusted.doc);
  if (cached === undefined || now - cached.at >= REPORT_TTL_MS || now < cached.at) {
    cached = { at: now, report: verifyRegistry(trusted.doc, { rootKey, now }) };
    reports.set(trusted.doc, cached);
  }
  let report: RegistryVerification;
  try {
    report = await cached.report;
  } catch (err) {
    reports.delete(trusted.doc);
    if (err instanceof VouchError)
      return { available: false, reason: `The registry cannot be verified: ${err.message}` };
    throw err;
  }
  return { available: true, mode: registryRuntime(ctx).mode, trusted, report };
}
