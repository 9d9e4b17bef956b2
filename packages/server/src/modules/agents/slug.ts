import { ApiError } from '../../errors.ts';
import { slugReadings, slugSkeleton } from './slug-skeleton.ts';

/** 3 to 40 characters: a lowercase letter, then letters, digits and hyphens, ending in a letter or digit. */
const SLUG = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;

/** The length of an internal id: a slug of this length could be mistaken for one, so none has it. */
const ID_LENGTH = 26;

/**
 * Whether `s` is a valid slug: `^[a-z][a-z0-9-]{1,38}[a-z0-9]$` and not exactly 26 characters. Slugs, internal ids
 * (26 characters), DIDs (contain `:`) and 64-hex signature hashes (longer than 40) can therefore never be confused.
 *
 * @example
 * isSlug('my-agent'); // true
 * isSlug('a'.repeat(26)); // false
 */
export function isSlug(s: string): boolean {
  return s.length !== ID_LENGTH && SLUG.test(s);
}

/** Throws `SLUG_INVALID` (400) unless `s` is a valid slug. */
export function assertSlug(s: string, field = 'slug'): void {
  if (!isSlug(s)) {
    throw new ApiError(
      'SLUG_INVALID',
      `${field} must be 3 to 40 characters of a-z, 0-9 and "-", start with a letter, not end with "-", and not be 26 characters long.`,
    );
  }
}

/**
 * Slugs no agent may take, since its page (`/verify/<slug>`) and profile would read as the service's own: names of
 * the service and its operator ({@link SERVICE_NAMES}), and the path segments a slug sits beside (`/verify/sig/…`,
 * `/v1/identity/register`, `/api/v1/agents/{register,claim,report}`) or that name the service's own top-level paths.
 * The service's names are compared by skeleton (slug-skeleton.ts), so a look-alike (`supp0rt`, `a-dmin`, `adrnin`)
 * is reserved as the name itself is; path segments exactly, since a route matches its segment exactly and a
 * look-alike of one (`agent-5`, `ovvners`) poses as no one. An agent that held one before it was listed keeps it.
 */
export const SERVICE_NAMES: ReadonlySet<string> = new Set([
  'vouch',
  'admin',
  'administrator',
  'root',
  'system',
  'operator',
  'official',
  'staff',
  'team',
  'support',
  'help',
  'helpdesk',
  'security',
  'abuse',
  'trust',
  'safety',
  'moderator',
  'postmaster',
  'hostmaster',
  'webmaster',
  'noreply',
  'no-reply',
  'status',
  'verified',
]);

/** The path segments among the reserved slugs: reserved as written, not by skeleton. */
const PATH_SEGMENTS: ReadonlySet<string> = new Set([
  'api',
  'verify',
  'sig',
  'register',
  'claim',
  'report',
  'agents',
  'owners',
  'tokens',
  'registry',
  'identity',
  'integrators',
  'docs',
  'assets',
  'metrics',
  'healthz',
  'readyz',
  'ingest',
  'intercept',
]);

/** Every reserved slug: the service's names and the path segments. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([...SERVICE_NAMES, ...PATH_SEGMENTS]);

/** Reserved for the service as a family: `vouch-support`, `vouch-team`, ... */
const RESERVED_PREFIX = 'vouch-';

/** The skeletons of {@link SERVICE_NAMES}, computed once: every look-alike of one shares it. */
const SERVICE_SKELETONS: ReadonlySet<string> = new Set([...SERVICE_NAMES].map(slugSkeleton));

/** `vouch`: the skeleton of the family's name, without its hyphen (skeletons drop hyphens). */
const PREFIX_SKELETON = slugSkeleton(RESERVED_PREFIX);

/**
 * Whether `s` is a slug no agent may newly take: one of {@link RESERVED_SLUGS}, a look-alike of one of the
 * service's names (the same skeleton), or `vouch` or a look-alike of it (`v0uch`, `vou-ch`) followed by `-` or a digit and anything. A letter
 * after `vouch` makes another word (`vouchy`, `voucher`, `vouchsafe`), which stays free: in skeletons, where hyphens
 * are dropped, the whole `vouch-…` family would swallow those.
 *
 * @example
 * isReservedSlug('admin'); // true
 * isReservedSlug('adm-in'); // true
 * isReservedSlug('adm1n'); // true
 * isReservedSlug('agent-5'); // false: reads as `agents`, a path segment, reserved only as written
 * isReservedSlug('v0uch-team'); // true
 * isReservedSlug('admin-bot'); // false
 * isReservedSlug('voucher'); // false
 */
export function isReservedSlug(s: string): boolean {
  if (PATH_SEGMENTS.has(s)) return true;
  // Both readings of `1`, as `l` and as `i` (`adm1n`): the readings that set agents' slugs apart.
  if (slugReadings(s).some((r) => SERVICE_SKELETONS.has(r))) return true;
  // The shortest start of `s` that reads as `vouch`, then what follows it: `-` or a digit keeps it in the family.
  for (let i = PREFIX_SKELETON.length; i < s.length; i++) {
    if (slugSkeleton(s.slice(0, i)) === PREFIX_SKELETON) return !/[a-z]/.test(s[i]!);
  }
  return false;
}

/**
 * Throws `SLUG_INVALID` (400) unless `s` is a valid slug, then `SLUG_RESERVED` (400) if it is reserved or a look-alike
 * of a reserved slug, unless it is `held`, the slug the agent already has (one taken before the list, or its
 * look-alikes, were refused stays its holder's; another look-alike of it does not).
 */
export function assertTakeableSlug(s: string, field = 'slug', held: string | null = null): void {
  assertSlug(s, field);
  if (s !== held && isReservedSlug(s)) {
    throw new ApiError('SLUG_RESERVED', `${field} is reserved: it would read as the service itself. Choose another.`);
  }
}

/** A 64-hex string: the form of a signature hash (identity.app's `verifyUrl`), never a slug. */
export function isSignatureHash(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}
