// Internal: hand-written shape checks for registry files. Each check names the field it refuses (a JSON path such
// as `issuers[2].metadata.url`) and the file it came from, and never echoes the offending value (it may be huge or
// hostile). No dependency: the SDK has none at runtime.
import { decodeBase64url } from '../../encoding/base64url.ts';
import { ed25519KeyProblem } from '../../keys/ed25519-point.ts';
import { RegistryFormatError } from '../errors.ts';

/** Where a value sits: the file (if known) and the path inside it. */
export interface At {
  readonly source: string | undefined;
  readonly path: string;
}

export function root(source: string | undefined, path = ''): At {
  return { source, path };
}

export function member(at: At, name: string): At {
  return { source: at.source, path: at.path === '' ? name : `${at.path}.${name}` };
}

export function index(at: At, i: number): At {
  return { source: at.source, path: `${at.path}[${i}]` };
}

export function fail(at: At, problem: string, cause?: unknown): never {
  throw new RegistryFormatError(at.path, problem, at.source, cause === undefined ? undefined : { cause });
}

export type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An object with exactly the `required` members, optionally some `optional` ones, and nothing else. */
export function object(value: unknown, at: At, required: readonly string[], optional: readonly string[] = []): Json {
  if (!isPlainObject(value)) fail(at, 'must be a JSON object.');
  for (const name of required) {
    if (!Object.hasOwn(value, name)) fail(member(at, name), 'is required.');
  }
  for (const name of Object.keys(value)) {
    if (!required.includes(name) && !optional.includes(name)) {
      fail(at, `has an unknown member ${JSON.stringify(name.slice(0, 64))}.`);
    }
  }
  return value;
}

export function array(value: unknown, at: At, max: number): unknown[] {
  if (!Array.isArray(value)) fail(at, 'must be an array.');
  if (value.length > max) fail(at, `has more than ${max} items.`);
  // A hole (`[a, , c]`) is skipped by forEach, so the item checks would never see it; JSON cannot carry one.
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) fail(index(at, i), 'is missing (an array hole, which JSON cannot represent).');
  }
  return value;
}

export function string(value: unknown, at: At, max: number): string {
  if (typeof value !== 'string') fail(at, 'must be a string.');
  if (value.length === 0) fail(at, 'must not be empty.');
  if (value.length > max) fail(at, `must be at most ${max} characters.`);
  // Control characters have no place in names and contacts and would garble terminal output.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) fail(at, 'must not contain control characters.');
  return value;
}

export function integer(value: unknown, at: At, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(at, 'must be an integer.');
  if (value < min || value > max) fail(at, `must be from ${min} to ${max}.`);
  return value;
}

export function literal<T extends string>(value: unknown, at: At, expected: T): T {
  if (value !== expected) fail(at, `must be ${JSON.stringify(expected)}.`);
  return expected;
}

export function oneOf<T extends string>(value: unknown, at: At, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    fail(at, `must be one of ${choices.join(', ')}.`);
  }
  return value as T;
}

/** Issuer ids: lowercase alphanumerics and single hyphens, neither first nor last, at most 64 characters. */
export const ISSUER_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const MAX_ISSUER_ID_LENGTH = 64;

export function issuerId(value: unknown, at: At): string {
  if (typeof value !== 'string') fail(at, 'must be a string.');
  if (value.length > MAX_ISSUER_ID_LENGTH) fail(at, `must be at most ${MAX_ISSUER_ID_LENGTH} characters.`);
  if (!ISSUER_ID.test(value)) {
    fail(at, 'must be lowercase letters and digits with single hyphens between them (e.g. "acme-labs").');
  }
  return value;
}

// UTC only, as Date#toISOString prints it (milliseconds optional): one spelling per instant keeps files diffable.
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?Z$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** An ISO-8601 UTC time; returns it in milliseconds since the epoch. Refuses days and hours that do not exist. */
export function isoTime(value: unknown, at: At): number {
  const m = typeof value === 'string' ? ISO_UTC.exec(value) : null;
  if (m === null) fail(at, 'must be an ISO-8601 UTC time such as 2024-01-01T00:00:00.000Z.');
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = mo === 2 && leap ? 29 : DAYS[mo - 1];
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const sec = Number(m[6]);
  if (days === undefined || d < 1 || d > days || h > 23 || mi > 59 || sec > 59)
    fail(at, 'is not a real calendar time.');
  // Not Date.UTC(y, ...), which reads a year below 100 as 1900 + y: the year is the one written, as Date.parse reads it.
  const time = new Date(0);
  time.setUTCFullYear(y, mo - 1, d);
  return time.setUTCHours(h, mi, sec, m[7] === undefined ? 0 : Number(m[7]));
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An absolute https URL (http only for loopback hosts, for development), without credentials. */
export function httpsUrl(value: unknown, at: At): string {
  const text = string(value, at, 2048);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail(at, 'must be an absolute URL.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    fail(at, 'must be an https:// URL (http:// only for localhost).');
  }
  if (url.username !== '' || url.password !== '') fail(at, 'must not contain a user name or password.');
  return text;
}

const KEY_PREFIX = 'ed25519:';

/** `ed25519:<base64url of 32 bytes>`, strictly encoded (so equal keys have equal strings). */
export function ed25519PublicKey(value: unknown, at: At): string {
  if (typeof value !== 'string' || !value.startsWith(KEY_PREFIX) || value.length !== KEY_PREFIX.length + 43) {
    fail(at, 'must be an Ed25519 public key as "ed25519:<base64url of 32 bytes>".');
  }
  // What parsePublicKey checks for this form: strict base64url of exactly 32 bytes (the length is fixed above),
  // neither a point of small order nor y >= p (a forged signature would count for such a key).
  let raw: Uint8Array;
  try {
    raw = decodeBase64url(value.slice(KEY_PREFIX.length));
  } catch (err) {
    fail(at, 'is not a valid Ed25519 public key (strict base64url of 32 bytes).', err);
  }
  const problem = ed25519KeyProblem(raw);
  if (problem === 'small-order') fail(at, 'is an Ed25519 point of small order, for which signatures can be forged.');
  if (problem === 'non-canonical') fail(at, 'is not a canonical Ed25519 public key (y is not below 2^255 - 19).');
  return value;
}

/** `ed25519:<base64url of 64 bytes>`, strictly encoded; returns the signature bytes. */
export function ed25519Signature(value: unknown, at: At): Uint8Array {
  if (typeof value !== 'string' || !value.startsWith(KEY_PREFIX) || value.length !== KEY_PREFIX.length + 86) {
    fail(at, 'must be an Ed25519 signature as "ed25519:<base64url of 64 bytes>".');
  }
  try {
    return decodeBase64url(value.slice(KEY_PREFIX.length));
  } catch (err) {
    fail(at, 'is not strict base64url.', err);
  }
}

/** Hex SHA-256 as `governanceStepHash` prints it. */
export function sha256Hex(value: unknown, at: At): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) fail(at, 'must be 64 lowercase hex digits.');
  return value;
}

/** A base64url RFC 7638 thumbprint (43 characters). */
export function thumbprint(value: unknown, at: At): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(value)) {
    fail(at, 'must be an RFC 7638 key thumbprint (43 base64url characters).');
  }
  return value;
}
