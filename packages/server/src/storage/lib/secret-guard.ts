/*
 * The audit trail is read by operators and exported to log pipelines, so nothing secret may be written to it.
 * This guard refuses audit details whose shape suggests a secret. It is deliberately over-cautious: a caller
 * whose harmless field trips it renames the field (e.g. `kid` rather than `key`, `jti` rather than `token`).
 * Values holding a secret (a compact JWT, a PEM private key, a key or token this server issues) are redacted instead:
 * details carry text that API callers wrote (a revocation's reason, a resource), and such text must not fail the
 * caller's request.
 */

/** Refused wherever they occur in a normalised key name (lower case, letters and digits only). */
const SECRET_PARTS = [
  'secret',
  'password',
  'passwd',
  'passphrase',
  'privatekey',
  'privatejwk',
  'authorization',
  'cookie',
  'credential',
  'mnemonic',
  'seedphrase',
  'kek',
  'bearer',
];
/** Refused at the end of a normalised key name: `key`, `apiKey`, `adminKey`, `token`, `accessToken`, `pwd`, ... */
const SECRET_SUFFIXES = ['key', 'keys', 'token', 'tokens', 'pwd'];
/** Public despite a suffix above. */
const PUBLIC_NAMES = new Set(['publickey', 'publickeys']);
/** JWK members that only private (or symmetric) keys have. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
/**
 * A compact JWS/JWT (`eyJ...` header) anywhere in a value, not inside a longer base64url word: bearer tokens are
 * secrets whatever the field is called, also quoted amid words (`leaked: Bearer eyJ...`).
 */
const COMPACT_JWT = /(?:^|[^A-Za-z0-9_-])eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/;
/**
 * A bearer secret this server issues, anywhere in a value: an owner API key, a linking key, a claim token, a
 * management token (modules/agents/ids.ts SECRET_PREFIX) or an integrator key (INTEGRATOR_KEY_PREFIX), each its
 * prefix and 256 bits as base64url.
 */
const ISSUED_SECRET = /(?:^|[^A-Za-z0-9_-])(?:vouch_(?:owner|link|claim|mgmt)_|vik_)[A-Za-z0-9_-]{43}/;

const MAX_DEPTH = 8;
const MAX_BYTES = 16 * 1024;

/** Whether a property name looks like it holds a secret (case-insensitive; `_`, `-`, `.` and spaces ignored). */
export function isSecretLookingName(name: string): boolean {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (PUBLIC_NAMES.has(n)) return false;
  return SECRET_PARTS.some((p) => n.includes(p)) || SECRET_SUFFIXES.some((s) => n.endsWith(s));
}

/** What a string value shaped like a secret is stored as. */
export const REDACTED = '[redacted]';

function secretShaped(value: string): boolean {
  return value.includes('PRIVATE KEY-----') || COMPACT_JWT.test(value) || ISSUED_SECRET.test(value);
}

/**
 * Serialises audit details to JSON, or returns a sentence saying why they are refused: not a plain JSON object,
 * too deep or large, or a member that looks like a secret (by property name, a private JWK), at any depth. A string
 * value that holds one (a PEM private key, a compact JWT, a key or token this server issues) is stored as
 * {@link REDACTED}. The sentence names the path but never the refused value.
 */
export function serializeAuditDetails(details: unknown): { json: string } | { refused: string } {
  if (!isPlainObject(details)) return { refused: 'details must be a plain JSON object' };
  const problem = inspect(details, 'details', 0);
  if (problem !== undefined) return { refused: problem };
  const json = JSON.stringify(details, (_name, value: unknown) =>
    typeof value === 'string' && secretShaped(value) ? REDACTED : value,
  );
  if (Buffer.byteLength(json, 'utf8') > MAX_BYTES) return { refused: `details exceed ${MAX_BYTES} bytes of JSON` };
  return { json };
}

function inspect(value: unknown, path: string, depth: number): string | undefined {
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} is not a finite number`;
  if (typeof value === 'string') return undefined; // redacted when serialised if it looks like a secret
  if (depth >= MAX_DEPTH) return `${path} is nested deeper than ${MAX_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = inspect(value[i], `${path}[${i}]`, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return `${path} is not JSON (${typeof value})`;
  if (typeof value.kty === 'string' && PRIVATE_JWK_MEMBERS.some((m) => m in value)) {
    return `${path} looks like a private JWK`;
  }
  for (const [name, member] of Object.entries(value)) {
    const at = `${path}.${name}`;
    if (isSecretLookingName(name)) return `${at} has a name that suggests a secret`;
    // JSON.stringify omits undefined members, which is what an optional field means.
    if (member === undefined) continue;
    const problem = inspect(member, at, depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
