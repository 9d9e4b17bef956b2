// The gateway's Ed25519 capability key as this process sees it: the active key signs, every stored key (active or
// retired) verifies by kid. Loaded from the database (sealed private keys) and cached; an unknown kid reloads at
// most once a second, so a rotation in another process is seen without letting junk tokens hammer the database.
import { CAPABILITY_KEY_PURPOSE, parsePrivateKey, parsePublicKey } from '@vouch/sdk';
import type { KeyResolver, PrivateKey, PublicKey } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ensureServerKey, listServerKeys } from '../../storage/index.ts';

const CACHE_MS = 60_000;
const UNKNOWN_KID_RELOAD_MS = 1000;

interface Loaded {
  at: number;
  signing: { kid: string; privateKey: PrivateKey };
  byKid: Map<string, PublicKey>;
}

export class GatewayKeys {
  readonly #ctx: AppContext;
  #loaded: Loaded | undefined;
  #loading: Promise<Loaded> | undefined;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  async #state(maxAgeMs = CACHE_MS): Promise<Loaded> {
    const now = this.#ctx.clock.now();
    const l = this.#loaded;
    if (l !== undefined && now >= l.at && now - l.at < maxAgeMs) return l;
    this.#loading ??= this.#load().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  async #load(): Promise<Loaded> {
    const { storage, kek, clock } = this.#ctx;
    await ensureServerKey(storage, kek, CAPABILITY_KEY_PURPOSE, 'EdDSA', clock.now());
    const rows = await listServerKeys(storage, kek, CAPABILITY_KEY_PURPOSE);
    const byKid = new Map<string, PublicKey>();
    let signing: Loaded['signing'] | undefined;
    for (const row of rows) {
      if (row.alg !== 'EdDSA') continue;
      byKid.set(row.kid, parsePublicKey(row.publicJwk as Record<string, unknown>, { type: 'Ed25519' }));
      // Newest generation first: the first active key signs.
      if (row.status === 'active' && signing === undefined) {
        signing = { kid: row.kid, privateKey: parsePrivateKey(row.privateKey.export({ format: 'jwk' })) };
      }
    }
    if (signing === undefined) throw new Error('No active capability key after ensureServerKey.');
    this.#loaded = { at: clock.now(), signing, byKid };
    return this.#loaded;
  }

  /** Forgets the loaded keys (after a rotation in this process): the next use reads them again. */
  invalidate(): void {
    this.#loaded = undefined;
  }

  /** The key that signs new tokens. */
  async signingKey(): Promise<{ kid: string; privateKey: PrivateKey }> {
    return (await this.#state()).signing;
  }

  /** Finds a capability key strictly by kid. */
  readonly resolveKey: KeyResolver = async (kid) => {
    if (kid === undefined) return undefined;
    const found = (await this.#state()).byKid.get(kid);
    if (found !== undefined) return found;
    return (await this.#state(UNKNOWN_KID_RELOAD_MS)).byKid.get(kid);
  };
}

const keys = new WeakMap<AppContext, GatewayKeys>();

/** The gateway keys of one app. */
export function gatewayKeysOf(ctx: AppContext): GatewayKeys {
  let k = keys.get(ctx);
  if (k === undefined) {
    k = new GatewayKeys(ctx);
    keys.set(ctx, k);
  }
  return k;
}
