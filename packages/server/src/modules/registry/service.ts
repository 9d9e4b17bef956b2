// What other modules (the capability gateway, issue 7) use of the trust registry: the verified document this server
// serves (authority) or follows (consumer), and an issuer lookup in it.
import { checkIssuer, type IssuerStatus, type RegistryDocument } from '@vouch/sdk';
import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Database } from '../../storage/index.ts';
import { ApiError } from '../../errors.ts';
import type { Authority } from './authority.ts';
import type { Consumer } from './consumer.ts';
import { holdSequence } from './store.ts';

export type RegistryRuntime = { mode: 'authority'; authority: Authority } | { mode: 'consumer'; consumer: Consumer };

const runtimes = new WeakMap<AppContext, RegistryRuntime>();

/** Installed by the registry module's route registration. */
export function setRegistryRuntime(ctx: AppContext, runtime: RegistryRuntime): void {
  runtimes.set(ctx, runtime);
}

export function registryRuntime(ctx: AppContext): RegistryRuntime {
  const rt = runtimes.get(ctx);
  if (rt === undefined) throw new ApiError('REGISTRY_UNAVAILABLE', 'The trust registry module is not enabled.');
  return rt;
}

/** Whether this server follows another registry (`VOUCH_TRUST_REGISTRY_URL`) instead of being its authority. */
export function isConsumer(ctx: AppContext): boolean {
  return ctx.config.registry.trustUrl !== undefined;
}

/** The trusted registry document with its `{sequence, chainHash}`. */
export interface TrustedRegistry {
  doc: RegistryDocument;
  sequence: number;
  chainHash: string;
}

/**
 * The verified registry document now in force: the authority's own (re-signed at half-life), or the consumer's last
 * good one. Throws 503 `REGISTRY_UNAVAILABLE` when there is none (no genesis yet, nothing valid fetched, expired).
 *
 * @example
 * const { doc, sequence } = await getTrustedRegistry(ctx);
 */
export async function getTrustedRegistry(ctx: AppContext): Promise<TrustedRegistry> {
  const rt = registryRuntime(ctx);
  if (rt.mode === 'authority') {
    const d = await rt.authority.require();
    return { doc: d.doc, sequence: d.sequence, chainHash: d.chainHash };
  }
  const c = await rt.consumer.current();
  if (c === undefined) {
    throw new ApiError('REGISTRY_UNAVAILABLE', 'No valid trust registry document is available.');
  }
  return { doc: c.doc, sequence: c.sequence, chainHash: c.chainHash };
}

/**
 * Where an issuer stands in the trusted registry: `active` (with its entry and current key), `revoked` (with the
 * record) or `unknown`. Throws 503 `REGISTRY_UNAVAILABLE` when no valid document is available.
 *
 * @example
 * const found = await checkRegistryIssuer(ctx, credential.iss);
 * if (found.status !== 'active') deny();
 */
export async function checkRegistryIssuer(ctx: AppContext, issuerId: string): Promise<IssuerStatus> {
  const { doc } = await getTrustedRegistry(ctx);
  return checkIssuer(doc, issuerId);
}

/**
 * Whether the registry this server is the authority of is still at `sequence` (the document a check just read), as
 * `trx` sees it, and held there until `trx` ends (see `holdSequence`; write in `trx` first). What is recorded on the
 * strength of that check commits only if no governance step committed since: a removal's `appliedAt` is read when
 * its apply starts, before it commits, so a token checked on the document before and stamped after that time would
 * otherwise pass for one issued after the removal, and come back to life with a re-admission of the same key. A
 * consumer follows a registry published elsewhere, within its TTL: always true there.
 *
 * @example
 * if (!(await registryStillAt(ctx, trx, doc.sequence))) throw new RegistryMoved();
 */
export async function registryStillAt(ctx: AppContext, trx: Kysely<Database>, sequence: number): Promise<boolean> {
  if (registryRuntime(ctx).mode !== 'authority') return true;
  return (await holdSequence(trx, ctx.storage.engine, 'authority')) === sequence;
}
