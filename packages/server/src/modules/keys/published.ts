// How long /.well-known/vouch-keys.json lists a retired key: the keys route and the admin key listing both ask here.
import { CAPABILITY_KEY_PURPOSE } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import type { PublicServerKey } from '../../storage/index.ts';
import { capabilityKeyDropsAt } from '../capabilities/index.ts';

/**
 * Until when (ms) a retired capability key is listed: the time the gateway stops verifying with it, when no token it
 * signed can be live. Null for every other key (listed as long as it is stored; tool-manifest keys for good).
 *
 * @example
 * const until = publishedUntil(ctx, key); // null, or retirement + a minute + the longest tier + the skew
 */
export function publishedUntil(ctx: AppContext, key: PublicServerKey): number | null {
  if (key.purpose !== CAPABILITY_KEY_PURPOSE || key.status !== 'retired') return null;
  return capabilityKeyDropsAt(key.retiredAt ?? key.createdAt, ctx.config.clockSkewSeconds);
}
