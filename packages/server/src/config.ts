import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import pg from 'pg';
import { canonicalAddress, isLoopbackAddress, parseDnsServers } from './net/index.ts';
import type { OpenStorageOptions } from './storage/index.ts';
import { OTHER_PROGRAMS_VARIABLES } from './config-other-names.ts';
import { ConfigError } from './config-error.ts';
import { explicitSslMode } from './storage/lib/pg-sslmode.ts';
import { hashSecret } from './http/secrets.ts';

export { OTHER_PROGRAMS_VARIABLES };

export { ConfigError };

/** Fastify's `trustProxy` forms: off, every hop, a hop count, or a list of addresses/CIDRs. */
export type TrustProxy = boolean | number | string[];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Everything the server reads from its environment, with every default applied. */
export interface Config {
  host: string;
  port: number;
  /** The only base for every URL the server prints; never derived from request headers. No trailing slash. */
  publicUrl: string;
  dataDir: string;
  /** PostgreSQL connection string; undefined means embedded SQLite under `dataDir`. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema holding Vouch's tables; undefined means the connection's default (`public`). */
  databaseSchema: string | undefined;
  /** PostgreSQL: plan each parameterised query once per connection (named prepared statements). */
  pgPreparedStatements: boolean;
  /** PostgreSQL: longest wait for a lock, in ms (0: none). */
  pgLockTimeoutMs: number;
  kekFile: string | undefined;
  /**
   * SHA-256 digest (hashSecret) of VOUCH_ADMIN_KEY; undefined: the key is admin.key's (resolveAdminKey). The key itself
   * is hashed as it is read and not kept, so nothing that reads or prints the configuration can show it.
   */
  adminKeyDigest: string | undefined;
  /**
   * Digest of a second admin key accepted beside the current one (VOUCH_ADMIN_KEY_PREVIOUS), so the key can change in
   * a rolling restart; audited as `admin:previous`. Never the current key's.
   */
  adminKeyPreviousDigest: string | undefined;
  corsOrigins: string[];
  trustProxy: TrustProxy;
  metricsPublic: boolean;
  logLevel: LogLevel;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Longest a client may take to send a whole request (headers and body), in ms; then the socket is closed. */
  requestTimeoutMs: number;
  /** Deepest JSON nesting accepted in a request body. */
  jsonMaxDepth: number;
  /** Default rate limit for routes that do not name a stricter one: requests per window per client address. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Leading zero hex digits the identity.app registration proof of work must have. */
  powDifficulty: number;
  /** Per-client-address limit on slug registration (`POST /v1/identity/register`, no proof of work). */
  slugRegisterRateLimit: { max: number; windowMs: number };
  /** Registering a public key requires the key's signed registration statement (the seeds' clients send none). */
  requireKeyProof: boolean;
  /** DNS servers for domain verification, in `Resolver#setServers` form; empty: the system's resolvers. */
  dnsServers: string[];
  /** Milliseconds before one DNS query attempt times out. */
  dnsTimeoutMs: number;
  /** Domain verification may use http, any port and loopback addresses (local testing; never in production). */
  domainVerifyInsecure: boolean;
  /** Loopback addresses domain verification treats as public (tests; never in production). */
  domainVerifyPublicTestAddresses: string[];
  /** How old a domain proof's last check may get before it is checked again, in ms; 0: never re-checked. */
  domainRecheckIntervalMs: number;
  /** How long after its last successful check a domain proof survives failed re-checks, in ms. */
  domainProofGraceMs: number;
  /** Allowance for disagreeing clocks when checking token times (`exp`, `nbf`, `iat`), in seconds. */
  clockSkewSeconds: number;
  /** How far an agent's `signedAt` may be from server time, either way, in seconds. */
  signatureWindowSeconds: number;
  /** Per-client-address limits (per `rateLimitWindowMs`) on token issuance, verification and revocation. */
  tokenRateLimits: { issue: number; verify: number; revoke: number };
  /** Per rate-limit window: signatures recorded per agent DID, certifications per client address (issue 6). */
  signatureRateLimits: { sign: number; certify: number };
  /** Trust registry (issue 4): authority mode unless `trustRegistryUrl` is set. */
  registry: RegistryConfig;
  /** Event ingestion and reputation (issue 6). */
  reputation: ReputationConfig;
  /** Capability tokens at the gateway (issue 7). */
  capabilities: CapabilitiesConfig;
  /**
   * `VOUCH_*` names in the environment that neither the server nor another Vouch program reads (a typo), sorted; the
   * start logs them, names only, in one warning.
   */
  unknownVariables: string[];
  /**
   * Settings in the environment that the configured mode does not read (PostgreSQL's without VOUCH_DATABASE_URL, a
   * registry consumer's without VOUCH_TRUST_REGISTRY_URL, an authority's with it, a SINT_ alias beside its VOUCH_
   * name), sorted; the start logs them, names only, in one warning: an empty VOUCH_DATABASE_URL beside
   * VOUCH_DATABASE_SCHEMA otherwise quietly ran on SQLite.
   */
  unusedVariables: string[];
}

/** Capability token settings (issue 7; docs/PROTOCOL.md "Capability tokens (SINT gateway)"). */
export interface CapabilitiesConfig {
  /** Longest lifetime of any capability token, in seconds (tiers and credentials may cap it further). */
  maxTtlSeconds: number;
  /** Most delegation steps from a root token (`par` length). */
  delegationMaxDepth: number;
}

/** Event ingestion and reputation settings (issue 6; see docs/reputation.md). */
export interface ReputationConfig {
  /** Largest body of `POST /ingest` (up to 1,000 events of up to 16 KiB of data each), in bytes. */
  ingestBodyLimit: number;
  /** `maxPerDay` of a metric that does not name one. */
  defaultMaxPerDay: number;
  /** Counted contributions per agent and environment, over all metrics and days. */
  environmentCap: number;
  /** Ingestion requests per rate-limit window per integrator (per client address until its key has authenticated). */
  ingestRateMax: number;
}

/** Trust registry settings: authority (the server holds the root key) or consumer (it follows another registry). */
export interface RegistryConfig {
  /** A `vouch registry keygen` file imported once as the registry root key (authority mode). */
  rootKeyFile: string | undefined;
  /** Lifetime of each signed registry document, in seconds; re-signed at half-life, or at once when held for longer. */
  validitySeconds: number;
  /** Consumer mode: http(s) URL or file path of the registry document to follow. */
  trustUrl: string | undefined;
  /** Consumer mode: the pinned root public key (`ed25519:<base64url>`). */
  trustRootKey: string | undefined;
  /** Consumer mode: seconds between refreshes. */
  trustTtlSeconds: number;
  /** Consumer mode: the longest a followed document may be valid, in seconds; undefined, any lifetime. */
  trustMaxLifetimeSeconds: number | undefined;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * What a setting accepts, shown in the README table's "accepted" column (packages/server/test/
 * config-accepted-documented.test.ts holds loadConfig to it). Every setting but the admin keys is read trimmed, and a
 * blank one is its default.
 */
export type ConfigAccepts =
  /** A whole number (digits only: no sign, fraction, exponent or hex) from `min` to `max`; `off`: `0` or `off` too. */
  | { kind: 'integer'; min: number; max: number; unit?: 'bytes' | 'ms' | 'seconds'; off?: true }
  /** `1`, `true`, `yes` or `0`, `false`, `no`, any case. */
  | { kind: 'boolean' }
  /** One of `values`, any case. */
  | { kind: 'oneOf'; values: readonly string[] }
  /** Any other form, described. */
  | { kind: 'text'; text: string };

/** One row of the README's configuration table; `loadConfig` reads exactly these. */
export interface ConfigVariable {
  name: string;
  default: string;
  accepts: ConfigAccepts;
  meaning: string;
}

export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  {
    name: 'VOUCH_HOST',
    accepts: {
      kind: 'text',
      text:
        'an IP address without zone or brackets (IPv4 in full dotted form), or a host name whose last label is ' +
        'not a number',
    },
    default: '127.0.0.1',
    meaning: 'Address to listen on: an IP address (`0.0.0.0` or `::` for all) or a host name.',
  },
  {
    name: 'VOUCH_PORT',
    accepts: { kind: 'integer', min: 0, max: 65535 },
    default: '4100',
    meaning: 'TCP port to listen on; 0 picks a free port at each start, and then requires `VOUCH_PUBLIC_URL`.',
  },
  {
    name: 'VOUCH_PUBLIC_URL',
    accepts: {
      kind: 'text',
      text:
        'an absolute http(s) URL without query, fragment, credentials, port 0 or an empty path segment (`//`); ' +
        'trailing `/` dropped',
    },
    default: 'http://<host>:<port>',
    meaning: 'Base of every URL the server prints (issuer, verify links, discovery). Never taken from request headers.',
  },
  {
    name: 'VOUCH_DATA_DIR',
    accepts: { kind: 'text', text: 'a path, relative to the working directory or absolute' },
    default: './data',
    meaning: 'Directory for the SQLite database, generated KEK and admin key.',
  },
  {
    name: 'VOUCH_DATABASE_URL',
    accepts: { kind: 'text', text: 'a `postgres://` or `postgresql://` URL without `#`' },
    default: '(unset: SQLite)',
    meaning:
      'PostgreSQL connection string (`postgres://...`), with reserved characters in the user name and password percent-encoded (`#` as `%23`, `/` as `%2F`); one that does not parse stops the start. When set, all processes share this database.',
  },
  {
    name: 'VOUCH_DATABASE_SCHEMA',
    accepts: {
      kind: 'text',
      text:
        '`a`-`z`, `0`-`9` and `_`, not starting with a digit, at most 63 characters; not `pg_...` or ' +
        '`information_schema`',
    },
    default: '(the connection default, usually public)',
    meaning:
      'PostgreSQL schema for Vouch tables (created if absent): lower-case letters, digits and _, not starting with a digit; `pg_` names and `information_schema` are reserved by PostgreSQL and refused.',
  },
  {
    name: 'VOUCH_PG_PREPARED_STATEMENTS',
    accepts: { kind: 'boolean' },
    default: '1',
    meaning:
      'PostgreSQL: `1` plans each parameterised query once per connection (named prepared statements); `0` sends them unnamed, for a pooler that drops prepared statements between transactions (PgBouncer before 1.21 in transaction mode).',
  },
  {
    name: 'VOUCH_PG_LOCK_TIMEOUT_MS',
    accepts: { kind: 'integer', min: 0, max: 600000, unit: 'ms' },
    default: '5000',
    meaning:
      "PostgreSQL: longest a request waits for a row or table lock before it is answered 503 `DATABASE_UNAVAILABLE` (like SQLite's 5 s); 0 waits without limit. Migrations at start wait without limit.",
  },
  {
    name: 'VOUCH_KEK_FILE',
    accepts: { kind: 'text', text: 'a path, relative to the working directory or absolute' },
    default: '<data dir>/kek.key',
    meaning:
      'Key-encryption key (32 bytes as 64 hex characters, base64 or base64url) that seals server private keys at rest. SQLite: created (mode 0600) at the first start of a fresh database only; a missing file for a database already set up stops the start (restore it). Required with PostgreSQL so every process shares it, and never created there: `openssl rand -hex 32 > kek.key && chmod 600 kek.key`.',
  },
  {
    name: 'VOUCH_ADMIN_KEY',
    accepts: { kind: 'text', text: '16 to 1024 printable ASCII characters, taken as written (not trimmed)' },
    default: '(SQLite: generated into <data dir>/admin.key)',
    meaning:
      'Admin API key, sent as `x-api-key`. 16 to 1,024 printable ASCII characters, without surrounding whitespace. Required with PostgreSQL.',
  },
  {
    name: 'VOUCH_ADMIN_KEY_PREVIOUS',
    accepts: { kind: 'text', text: 'as `VOUCH_ADMIN_KEY`, and not equal to it' },
    default: '(none)',
    meaning:
      'A previous admin key, accepted beside the current one while clients move to the new key in a rolling restart (docs/operations.md); the audit log names its actions `admin:previous`, and the start logs a warning while it is set. Same rules as `VOUCH_ADMIN_KEY`; the same key as the current one stops the start.',
  },
  {
    name: 'VOUCH_CORS_ORIGINS',
    accepts: {
      kind: 'text',
      text: 'comma-separated: `*` or http(s) origins (scheme, host, optional port; no path, query or credentials)',
    },
    default: '(none)',
    meaning: 'Comma-separated origins allowed by CORS (`https://app.example`, no path), or `*` for any origin.',
  },
  {
    name: 'VOUCH_TRUST_PROXY',
    accepts: {
      kind: 'text',
      text:
        '`0` or `false`: off; `true`: every hop (any case); a whole number of hops; or comma-separated IP ' +
        'addresses, CIDRs (prefix 1 to 32 for IPv4, 1 to 128 for IPv6), `loopback`, `linklocal`, `uniquelocal`',
    },
    default: '(off)',
    meaning:
      'Honour `X-Forwarded-For` only when set: `true` (every hop), a hop count, or comma-separated proxy addresses/CIDRs.',
  },
  {
    name: 'VOUCH_METRICS_PUBLIC',
    accepts: { kind: 'boolean' },
    default: '0',
    meaning: '`1` serves `/metrics` without the admin key.',
  },
  {
    name: 'VOUCH_LOG_LEVEL',
    accepts: { kind: 'oneOf', values: LOG_LEVELS },
    default: 'info',
    meaning: 'pino log level: fatal, error, warn, info, debug, trace, silent.',
  },
  {
    name: 'VOUCH_BODY_LIMIT',
    accepts: { kind: 'integer', min: 1024, max: 67108864, unit: 'bytes' },
    default: '1048576',
    meaning:
      'Largest request body in bytes (larger: 413). Only the routes whose valid bodies can be large take that much ' +
      "(tool manifests and registry proposals up to 1 MiB, capability batches up to 640 KiB, the console's token form " +
      'up to 256 KiB, `verify-tools` and integrator metrics up to 128 KiB); every other route takes at most 64 KiB, ' +
      'or this if smaller. Ingestion (`VOUCH_INGEST_BODY_LIMIT`) and the registry genesis have their own limits.',
  },
  {
    name: 'VOUCH_REQUEST_TIMEOUT_MS',
    accepts: { kind: 'integer', min: 1000, max: 3600000, unit: 'ms' },
    default: '60000',
    meaning:
      'Longest a client may take to send a whole request, headers and body (1000 to 3600000); then it is answered 408 `REQUEST_TIMEOUT` and the connection is closed.',
  },
  {
    name: 'VOUCH_JSON_MAX_DEPTH',
    accepts: { kind: 'integer', min: 2, max: 1024 },
    default: '64',
    meaning: 'Deepest JSON nesting accepted in a request body.',
  },
  {
    name: 'VOUCH_RATE_LIMIT_MAX',
    accepts: { kind: 'integer', min: 1, max: 1000000 },
    default: '600',
    meaning:
      'Default requests per window per client address for each route (stricter per-route limits apply; `/healthz`, `/readyz` and `/metrics` have their own, 100 per 5 s). An IPv6 client counts as its /64, here and in every per-address limit.',
  },
  {
    name: 'VOUCH_RATE_LIMIT_WINDOW_MS',
    accepts: { kind: 'integer', min: 1000, max: 86400000, unit: 'ms' },
    default: '60000',
    meaning: 'Length of the rate-limit window in milliseconds.',
  },
  {
    name: 'VOUCH_POW_DIFFICULTY',
    accepts: { kind: 'integer', min: 0, max: 16 },
    default: '4',
    meaning:
      'Leading zero hex digits of `sha256hex(publicKey + powNonce)` required by `POST /api/v1/agents/register` (0 to 16).',
  },
  {
    name: 'VOUCH_SLUG_REGISTER_RATE_MAX',
    accepts: { kind: 'integer', min: 1, max: 1000000 },
    default: '20',
    meaning:
      'Slug registrations (`POST /v1/identity/register`, which needs no proof of work) per window per client address.',
  },
  {
    name: 'VOUCH_SLUG_REGISTER_RATE_WINDOW_MS',
    accepts: { kind: 'integer', min: 1000, max: 86400000, unit: 'ms' },
    default: '3600000',
    meaning: 'Length of the slug-registration rate-limit window in milliseconds.',
  },
  {
    name: 'VOUCH_REQUIRE_KEY_PROOF',
    accepts: { kind: 'boolean' },
    default: '0',
    meaning:
      "`1` refuses to register a public key without its holder's signed registration statement (`keyProof`, `key_proof`): no one can register another's key. The SDK's `createAgentIdentity` and `vouch agent create` send it (`keyProof: false` / `--no-key-proof` for servers that predate it); clients written for the seeds send none.",
  },
  {
    name: 'VOUCH_DNS_SERVERS',
    accepts: {
      kind: 'text',
      text: 'comma-separated IP addresses, each optionally with a port 1 to 65535 (`ip:port`, `[ipv6]:port`)',
    },
    default: '(the system resolvers)',
    meaning:
      'DNS servers for domain verification (TXT records and the addresses it connects to): comma-separated `ip` or `ip:port`, IPv6 with a port as `[ip]:port`.',
  },
  {
    name: 'VOUCH_DNS_TIMEOUT_MS',
    accepts: { kind: 'integer', min: 100, max: 5000, unit: 'ms' },
    default: '2000',
    meaning: 'Milliseconds before one DNS query attempt times out (two attempts per server).',
  },
  {
    name: 'VOUCH_DOMAIN_VERIFY_INSECURE',
    accepts: { kind: 'boolean' },
    default: '0',
    meaning:
      '`1` lets domain verification fetch over http, on any port and from loopback addresses (local testing only; refused when `NODE_ENV=production`).',
  },
  {
    name: 'VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES',
    accepts: { kind: 'text', text: 'comma-separated loopback IP addresses; none when `NODE_ENV=production`' },
    default: '(none)',
    meaning:
      'Comma-separated loopback addresses (e.g. `127.0.0.2`) that domain verification treats as public, to test its secure path locally. Tests only; refused when `NODE_ENV=production`.',
  },
  {
    name: 'VOUCH_DOMAIN_RECHECK_INTERVAL',
    accepts: { kind: 'integer', min: 60, max: 2592000, unit: 'seconds', off: true },
    default: '86400',
    meaning:
      "Seconds after a domain proof's last check before it is checked again (DNS TXT, meta tag or file holding the token that proved it); `0` or `off` never re-checks, so proofs never lapse. 60 to 2592000.",
  },
  {
    name: 'VOUCH_DOMAIN_PROOF_GRACE',
    accepts: { kind: 'integer', min: 0, max: 31536000, unit: 'seconds' },
    default: '259200',
    meaning:
      'Seconds a domain proof survives failed re-checks after its last successful one; then the next failed re-check lapses it: it leaves the profile and the identity score, audited as `agent.domain_lapsed`. 0 to 31536000.',
  },
  {
    name: 'VOUCH_CLOCK_SKEW',
    accepts: { kind: 'integer', min: 0, max: 600, unit: 'seconds' },
    default: '60',
    meaning:
      "Seconds of clock disagreement allowed when checking token times (`exp`, `nbf`, `iat`) and how far ahead an integrator consent's `signedAt` may be; 0 to 600.",
  },
  {
    name: 'VOUCH_SIGNATURE_WINDOW',
    accepts: { kind: 'integer', min: 1, max: 86400, unit: 'seconds' },
    default: '300',
    meaning:
      "Seconds an agent's `signedAt` may be from server time, either way (e.g. the agent proof of `POST /api/registry/issue`, `POST /api/v1/signatures/sign`, signed reports), and how far behind an integrator consent's `signedAt` may be; 300 is 5 minutes.",
  },
  {
    name: 'VOUCH_TOKEN_ISSUE_RATE_MAX',
    accepts: { kind: 'integer', min: 1, max: 1000000000 },
    default: '60',
    meaning:
      'Token issuances (`POST /api/registry/issue`), and capability token issuances and delegations (`POST /v1/tokens`, `POST /v1/tokens/delegate`, each counted apart), per rate-limit window per client address.',
  },
  {
    name: 'VOUCH_TOKEN_VERIFY_RATE_MAX',
    accepts: { kind: 'integer', min: 1, max: 1000000000 },
    default: '1200',
    meaning: 'Token verifications (`POST /api/registry/verify`) per rate-limit window per client address.',
  },
  {
    name: 'VOUCH_TOKEN_REVOKE_RATE_MAX',
    accepts: { kind: 'integer', min: 1, max: 1000000000 },
    default: '60',
    meaning:
      'Token revocations (`POST /api/registry/revoke`), and capability token revocations (`POST /v1/tokens/revoke`, counted apart), per rate-limit window per client address.',
  },
  {
    name: 'VOUCH_SIGN_RATE_MAX',
    accepts: { kind: 'integer', min: 1, max: 1000000000 },
    default: '120',
    meaning: 'Signatures recorded (`POST /api/v1/signatures/sign`) per rate-limit window per agent DID.',
  },
  {
    name: 'VOUCH_CERTIFY_RATE_MAX',
    accepts: { kind: 'integer', min: 1, max: 1000000000 },
    default: '60',
    meaning: 'Certifications (`POST /api/v1/signatures/certify`) per rate-limit window per client address.',
  },
  // event ingestion and reputation (issue 6)
  {
    name: 'VOUCH_INGEST_BODY_LIMIT',
    accepts: { kind: 'integer', min: 1024, max: 268435456, unit: 'bytes' },
    default: '20971520',
    meaning: 'Largest body of `POST /ingest` in bytes (a batch of up to 1,000 events with up to 16 KiB of data each).',
  },
  {
    name: 'VOUCH_INGEST_RATE_MAX',
    accepts: { kind: 'integer', min: 1, max: 1000000000 },
    default: '600',
    meaning:
      'Ingestion requests (`POST /ingest`, `POST /api/v1/ingest`) per rate-limit window per integrator (per client ' +
      'address until the instance has seen the integrator\'s key authenticate; docs/operations.md "Rate limits").',
  },
  {
    name: 'VOUCH_REPUTATION_MAX_PER_DAY',
    accepts: { kind: 'integer', min: 1, max: 1000000 },
    default: '10',
    meaning:
      "A metric's `maxPerDay` when it names none: contributions counted per agent, environment, metric and UTC day.",
  },
  {
    name: 'VOUCH_REPUTATION_ENVIRONMENT_CAP',
    accepts: { kind: 'integer', min: 1, max: 1000000 },
    default: '50',
    meaning: 'Contributions counted per agent and environment overall (see docs/reputation.md).',
  },
  {
    name: 'VOUCH_REGISTRY_ROOT_KEY_FILE',
    accepts: { kind: 'text', text: 'a path, relative to the working directory or absolute' },
    default: '(generated at first start)',
    meaning:
      'Trust registry authority: a `vouch registry keygen` file imported once as the registry root key (then kept sealed in the database).',
  },
  {
    name: 'VOUCH_REGISTRY_VALIDITY',
    accepts: { kind: 'integer', min: 120, max: 31622400, unit: 'seconds' },
    default: '604800',
    meaning:
      'Seconds each signed registry document is valid (authority); ' +
      'it is re-signed at half-life, and at once when the document held is valid for longer (an uploaded genesis).',
  },
  {
    name: 'VOUCH_TRUST_REGISTRY_URL',
    accepts: { kind: 'text', text: 'an http(s) URL without `user:password@`, or a file path' },
    default: '(unset: authority mode)',
    meaning:
      'Consumer mode: http(s) URL (no `user:password@`; logged without its query) or file path of the trust registry to follow (read-only). Alias `SINT_TRUST_REGISTRY_URL`, read only when this is unset or blank.',
  },
  {
    name: 'VOUCH_TRUST_REGISTRY_ROOT_KEY',
    accepts: { kind: 'text', text: '`ed25519:` and the 32-byte public key in base64url' },
    default: '(required in consumer mode)',
    meaning:
      'Consumer mode: the pinned registry root public key, `ed25519:<base64url>`; a value that is not one stops the start.',
  },
  {
    name: 'VOUCH_TRUST_REGISTRY_TTL',
    accepts: { kind: 'integer', min: 1, max: 2592000, unit: 'seconds' },
    default: '3600',
    meaning:
      'Consumer mode: seconds between registry refreshes. Alias `SINT_TRUST_REGISTRY_TTL`, read only when this is unset ' +
      'or blank.',
  },
  {
    name: 'VOUCH_TRUST_REGISTRY_MAX_LIFETIME',
    accepts: { kind: 'integer', min: 120, max: 316224000, unit: 'seconds', off: true },
    default: 'off',
    meaning:
      'Consumer mode: the longest a followed document may be valid (`expiresAt` after `updatedAt`), in seconds, 120 to 316224000 (3660 days); a document valid for longer is refused (`REGISTRY_LIFETIME_EXCEEDED`). Set it above the validity the registry is signed with; `0` or `off`: any lifetime.',
  },
  // capability tokens (issue 7)
  {
    name: 'VOUCH_CAPABILITY_MAX_TTL',
    accepts: { kind: 'integer', min: 1, max: 86400, unit: 'seconds' },
    default: '3600',
    meaning:
      'Longest lifetime of a capability token (`POST /v1/tokens`), in seconds; tiers (observe 86400, standard 3600, elevated 900, critical 300) and the agent credential cap it further.',
  },
  {
    name: 'VOUCH_DELEGATION_MAX_DEPTH',
    accepts: { kind: 'integer', min: 0, max: 16 },
    default: '3',
    meaning: 'Most delegation steps from a root capability token (`POST /v1/tokens/delegate`); 0 forbids delegation.',
  },
];

/** Settings read only on PostgreSQL. */
const POSTGRES_ONLY = ['VOUCH_DATABASE_SCHEMA', 'VOUCH_PG_PREPARED_STATEMENTS', 'VOUCH_PG_LOCK_TIMEOUT_MS'];
/** Settings read only by a registry consumer (VOUCH_TRUST_REGISTRY_URL set). */
const CONSUMER_ONLY = [
  'VOUCH_TRUST_REGISTRY_ROOT_KEY',
  'VOUCH_TRUST_REGISTRY_TTL',
  'VOUCH_TRUST_REGISTRY_MAX_LIFETIME',
];
/** Settings read only by a registry authority (VOUCH_TRUST_REGISTRY_URL unset). */
const AUTHORITY_ONLY = ['VOUCH_REGISTRY_ROOT_KEY_FILE', 'VOUCH_REGISTRY_VALIDITY'];

/** The seed's names (SINT_*) read in place of a VOUCH_ name that is unset or blank. */
const ALIASES: Readonly<Record<string, string>> = {
  VOUCH_TRUST_REGISTRY_URL: 'SINT_TRUST_REGISTRY_URL',
  VOUCH_TRUST_REGISTRY_TTL: 'SINT_TRUST_REGISTRY_TTL',
};

/** The settings given a value in `env` that the mode `config` describes does not read, sorted. */
function unusedVariablesOf(env: NodeJS.ProcessEnv, config: Pick<Config, 'databaseUrl' | 'registry'>): string[] {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const unused = [
    ...(config.databaseUrl === undefined ? POSTGRES_ONLY : []),
    ...(config.registry.trustUrl === undefined ? [...CONSUMER_ONLY, 'SINT_TRUST_REGISTRY_TTL'] : AUTHORITY_ONLY),
    // An alias beside its VOUCH_ name is not read: the VOUCH_ name is.
    ...Object.entries(ALIASES)
      .filter(([name]) => set(name))
      .map(([, alias]) => alias),
  ];
  return [...new Set(unused.filter(set))].sort();
}

/** The `VOUCH_*` names in `env` that no Vouch program reads, sorted. */
function unknownVariablesOf(env: NodeJS.ProcessEnv): string[] {
  const known = new Set([...CONFIG_VARIABLES.map((v) => v.name), ...OTHER_PROGRAMS_VARIABLES]);
  return Object.keys(env)
    .filter((name) => name.startsWith('VOUCH_') && !known.has(name))
    .sort();
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  // Trimmed like every other setting: a value pasted with a newline or set to blanks is the value or unset.
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${env[name]}".`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}.`);
  return n;
}

/** Seconds as ms; `0` or `off` (any case) is 0, meaning off; otherwise between `min` and `max` seconds. */
function secondsOrOffVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = (env[name] ?? '').trim();
  // Any run of zeros, as every whole-number setting takes leading zeros: `00` was refused "between 60 and ..., got 0".
  if (/^0+$/.test(raw) || raw.toLowerCase() === 'off') return 0;
  return intVar({ [name]: raw }, name, fallback, min, max) * 1000;
}

/**
 * The longest lifetime of a registry document, as `VOUCH_TRUST_REGISTRY_MAX_LIFETIME` takes it: whole seconds from 120
 * to 3660 days, or `0` / `off` (any case) or nothing for any lifetime (undefined). A ConfigError naming `name`
 * otherwise. `vouch registry verify --max-lifetime` parses its value with this too, so both take the same forms.
 *
 * @example
 * parseRegistryMaxLifetime('691200'); // 691200
 * parseRegistryMaxLifetime('off'); // undefined
 * parseRegistryMaxLifetime('7d', '--max-lifetime'); // throws ConfigError: --max-lifetime must be a whole number, …
 */
export function parseRegistryMaxLifetime(
  raw: string | undefined,
  name = 'VOUCH_TRUST_REGISTRY_MAX_LIFETIME',
): number | undefined {
  return secondsOrOffVar({ [name]: raw }, name, 0, 120, 3660 * 86_400) / 1000 || undefined;
}

function boolVar(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false' || raw === 'no') return false;
  if (raw === '1' || raw === 'true' || raw === 'yes') return true;
  throw new ConfigError(`${name} must be 1, true or yes (on) or 0, false or no (off), got "${env[name]}".`);
}

function parseTrustProxy(raw: string | undefined): TrustProxy {
  const v = (raw ?? '').trim();
  if (v === '' || v === '0' || v.toLowerCase() === 'false') return false;
  if (v.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Checked here, as Fastify's proxy-addr would check them in buildApp: after migrations, naming no variable.
  for (const entry of list) {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) continue;
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0 || address.includes('%')) {
      throw new ConfigError(
        `VOUCH_TRUST_PROXY entry "${entry}" is not an IP address, a CIDR (address/prefix), loopback, linklocal or ` +
          'uniquelocal; to trust by position use true or a hop count alone.',
      );
    }
    // 1 to 32 or 128, as proxy-addr takes them (it refuses /0; trust every hop with `true` instead).
    const maxPrefix = family === 4 ? 32 : 128;
    if (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) < 1 || Number(prefix) > maxPrefix)) {
      throw new ConfigError(
        `VOUCH_TRUST_PROXY entry "${entry}": the prefix length must be 1 to ${maxPrefix} for an IPv${family} address.`,
      );
    }
  }
  return list;
}

/**
 * Each entry is `*` or an http(s) origin, normalised as browsers send `Origin` (lower-case host, no default port,
 * no trailing slash). Anything else could never equal an `Origin` header, so it is refused rather than ignored.
 */
function parseCorsOrigins(raw: string | undefined): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return entries.map((entry, i) => {
    if (entry === '*') return entry;
    // An entry with an @ may hold user:password, and the refusal is printed and logged: it is then named by position.
    const shown = entry.includes('@') ? `${i + 1} (not quoted: it holds an @, as credentials do)` : `"${entry}"`;
    const refuse = (why: string) =>
      new ConfigError(
        `VOUCH_CORS_ORIGINS entry ${shown} ${why}; expected * or an origin such as https://app.example:8443.`,
      );
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw refuse('is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse('must use http or https');
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash || /[?#]/.test(entry)) {
      throw refuse('must be an origin alone, with no path, query, fragment or credentials');
    }
    return url.origin;
  });
}

/** The longest admin key: the admin check refuses a longer `x-api-key` header unread, before comparing. */
export const ADMIN_KEY_MAX_CHARS = 1024;

/**
 * Why the admin key could never match an `x-api-key` header, or undefined when it can. HTTP strips a header value's
 * leading and trailing whitespace and cannot carry control characters, and Node reads header bytes as Latin-1, so a
 * key with any of these would leave admin access failing with 401 forever. Refused rather than trimmed: the key
 * then is exactly what the operator configured and hands to clients. The reason never quotes the key.
 */
export function adminKeyProblem(key: string): string | undefined {
  if (key.length < 16) return 'must be at least 16 characters long';
  if (key.length > ADMIN_KEY_MAX_CHARS) {
    return `must be at most ${ADMIN_KEY_MAX_CHARS} characters long: the admin check reads no longer x-api-key header`;
  }
  if (key.trim() !== key) {
    return (
      'has leading or trailing whitespace (a trailing newline from a secret file?): HTTP strips it from the ' +
      'x-api-key header, so no request could match; remove it'
    );
  }
  if (!/^[\x20-\x7e]+$/.test(key)) {
    return 'must be printable ASCII: control and non-ASCII characters cannot be sent in an HTTP header';
  }
  return undefined;
}

/**
 * VOUCH_ADMIN_KEY_PREVIOUS, held to the current key's rules. The current key itself is refused: kept as "previous"
 * after a roll, it would be audited as `admin:previous` and its removal would lock every client out. A current key
 * read from admin.key is compared in resolveAdminKey. Neither key is quoted.
 */
function parseAdminKeyPrevious(raw: string | undefined, current: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const problem = adminKeyProblem(raw);
  if (problem !== undefined) throw new ConfigError(`VOUCH_ADMIN_KEY_PREVIOUS ${problem}.`);
  if (raw === current) {
    throw new ConfigError(
      'VOUCH_ADMIN_KEY_PREVIOUS is the same as VOUCH_ADMIN_KEY: set it to the key being replaced, or unset it.',
    );
  }
  return raw;
}

function parsePublicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not quoted: what failed to parse may hold a password (`https://user:pass@host:port`).
    throw new ConfigError('VOUCH_PUBLIC_URL must be an absolute http(s) URL such as https://vouch.example.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('VOUCH_PUBLIC_URL must use http or https.');
  }
  // `?` or `#` alone leaves url.search and url.hash empty but stays in the text, and so in every issuer and link.
  if (url.search || url.hash || raw.includes('?') || raw.includes('#') || url.username || url.password) {
    throw new ConfigError('VOUCH_PUBLIC_URL must not carry a query, fragment or credentials.');
  }
  // No client can connect to port 0: every issuer and link would name an address nobody reaches (as VOUCH_PORT=0's).
  if (url.port === '0') {
    throw new ConfigError('VOUCH_PUBLIC_URL names port 0, which no client can connect to: name the port clients use.');
  }
  // The pages' links are this path and what follows: one starting with `//` would be protocol-relative (another host).
  if (withoutTrailingSlashes(url.pathname).includes('//')) {
    throw new ConfigError('VOUCH_PUBLIC_URL must not have an empty path segment (//), such as https://x.example//y.');
  }
  return withoutTrailingSlashes(url.toString());
}

/**
 * VOUCH_DATABASE_URL must be read by pg as written. An unencoded reserved character in the password does not parse
 * (the start then failed with "Invalid URL", naming no setting), and after a `#` pg ignores the rest: `user:4321#x@db`
 * reads as host `user`, port 4321, no password. Checked with pg's own parser; the value is never quoted.
 */
function checkDatabaseUrl(url: string): void {
  const hint = 'percent-encode reserved characters such as @ : / ? # % in the user name and password (# is %23)';
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError('VOUCH_DATABASE_URL must be a postgres:// or postgresql:// URL.');
  }
  if (url.includes('#')) throw new ConfigError(`VOUCH_DATABASE_URL must not contain #: ${hint}.`);
  try {
    // Parses the connection string (pg-connection-string, as the pool will); connects nothing.
    new pg.Client({ connectionString: explicitSslMode(url) });
  } catch (err) {
    // Only a URL that does not parse (or decode); an unreadable sslrootcert file is reported at connect, as before.
    if (err instanceof URIError || (err as { code?: unknown }).code === 'ERR_INVALID_URL') {
      throw new ConfigError(`VOUCH_DATABASE_URL is not a valid connection URL: ${hint}.`);
    }
  }
}

/** A listen address: an IPv4 or IPv6 address, or a host name (`localhost`); no scheme, port or brackets. */
function parseHost(raw: string | undefined): string {
  const host = raw?.trim() || '127.0.0.1';
  // A last label that is a number (`0`, `0x7f`, `127.1`) makes a shorthand IPv4 spelling, not a DNS name: the resolver
  // and the URL parser read `0` as 0.0.0.0, so it listened on every address and its public URL named 0.0.0.0.
  if (isIP(host) === 0 && HOST_NAME.test(host) && NUMERIC_LAST_LABEL.test(host)) {
    throw new ConfigError(
      `VOUCH_HOST "${host}" is a shorthand IPv4 spelling, not a host name: write the address in full dotted ` +
        'form, such as 127.0.0.1 or 0.0.0.0.',
    );
  }
  if (isIP(host) !== 0 ? !host.includes('%') : HOST_NAME.test(host)) return host;
  throw new ConfigError(
    'VOUCH_HOST must be an IP address (127.0.0.1, 0.0.0.0, ::1, ::) or a host name, without a scheme, port or brackets.',
  );
}

/** A name whose last label is decimal or 0x hex digits, which the URL standard and the resolver read as IPv4. */
const NUMERIC_LAST_LABEL = /(^|\.)(\d+|0x[0-9a-f]*)\.?$/i;

/** A DNS host name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function hostForUrl(host: string): string {
  // Any spelling of the unspecified address (`::0`, `0:0:0:0:0:0:0:0`), which no client can reach.
  const canonical = canonicalAddress(host);
  if (canonical === '0.0.0.0' || canonical === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** `text` without the slashes it ends with: a loop, since /\/+$/ backtracks quadratically over an inner run. */
function withoutTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === '/') end--;
  return text.slice(0, end);
}

/**
 * The path of VOUCH_PUBLIC_URL (`''` at the root, `/vouch` for `https://x.example/vouch/`), never ending in `/`: what a
 * reverse proxy strips before a request reaches the server's routes.
 */
export function publicPathOf(config: Pick<Config, 'publicUrl'>): string {
  return withoutTrailingSlashes(new URL(config.publicUrl).pathname);
}

/** Where a server with this configuration keeps its data, for `openStorage`. */
export function storageOptionsOf(config: Config): OpenStorageOptions {
  return {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgSchema: config.databaseSchema,
    pgPreparedStatements: config.pgPreparedStatements,
    pgLockTimeoutMs: config.pgLockTimeoutMs,
  };
}

/**
 * Reads the server configuration from environment variables, applying every default.
 *
 * @example
 * const config = loadConfig({ VOUCH_PORT: '8080', VOUCH_DATA_DIR: '/tmp/vouch' });
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const host = parseHost(env.VOUCH_HOST);
  const port = intVar(env, 'VOUCH_PORT', 4100, 0, 65535);
  const dataDirRaw = env.VOUCH_DATA_DIR?.trim() || './data';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);
  const databaseUrl = env.VOUCH_DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined) checkDatabaseUrl(databaseUrl);
  const databaseSchema = env.VOUCH_DATABASE_SCHEMA?.trim() || undefined;
  if (databaseSchema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
    throw new ConfigError('VOUCH_DATABASE_SCHEMA must be a lower-case identifier of at most 63 characters.');
  }
  // CREATE SCHEMA refuses pg_ names; information_schema is the catalog's own, and pg_dump never dumps it.
  if (databaseSchema !== undefined && (databaseSchema.startsWith('pg_') || databaseSchema === 'information_schema')) {
    throw new ConfigError(
      `VOUCH_DATABASE_SCHEMA ${databaseSchema} is reserved by PostgreSQL (pg_ names and information_schema); choose ` +
        'another, such as vouch.',
    );
  }
  const kekRaw = env.VOUCH_KEK_FILE?.trim() || undefined;
  const kekFile = kekRaw === undefined ? undefined : isAbsolute(kekRaw) ? kekRaw : resolve(cwd, kekRaw);
  const adminKey = env.VOUCH_ADMIN_KEY === undefined || env.VOUCH_ADMIN_KEY === '' ? undefined : env.VOUCH_ADMIN_KEY;
  const adminKeyRefusal = adminKey === undefined ? undefined : adminKeyProblem(adminKey);
  if (adminKeyRefusal !== undefined) throw new ConfigError(`VOUCH_ADMIN_KEY ${adminKeyRefusal}.`);
  const adminKeyPrevious = parseAdminKeyPrevious(env.VOUCH_ADMIN_KEY_PREVIOUS, adminKey);
  const logLevel = (env.VOUCH_LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`VOUCH_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);
  }
  const corsOrigins = parseCorsOrigins(env.VOUCH_CORS_ORIGINS);
  const publicUrlRaw = env.VOUCH_PUBLIC_URL?.trim() || undefined;
  // The default names the configured port, which port 0 is not: every issuer and link would say :0. Refused rather
  // than derived from the port bound: that port changes at every start, and with it every token's issuer.
  if (publicUrlRaw === undefined && port === 0) {
    throw new ConfigError(
      'VOUCH_PORT=0 picks a different free port at every start, so no public URL can be derived from it: set ' +
        'VOUCH_PUBLIC_URL to the address clients reach this server at (the issuer of its tokens), or choose a fixed port.',
    );
  }
  const publicUrl = parsePublicUrl(publicUrlRaw ?? `http://${hostForUrl(host)}:${port}`);
  const registry = readRegistry(env, cwd);
  return {
    host,
    port,
    publicUrl,
    dataDir,
    databaseUrl,
    databaseSchema,
    kekFile,
    // The keys themselves go no further than this function.
    adminKeyDigest: adminKey === undefined ? undefined : hashSecret(adminKey),
    adminKeyPreviousDigest: adminKeyPrevious === undefined ? undefined : hashSecret(adminKeyPrevious),
    corsOrigins,
    trustProxy: parseTrustProxy(env.VOUCH_TRUST_PROXY),
    metricsPublic: boolVar(env, 'VOUCH_METRICS_PUBLIC'),
    pgPreparedStatements:
      (env.VOUCH_PG_PREPARED_STATEMENTS ?? '').trim() === '' || boolVar(env, 'VOUCH_PG_PREPARED_STATEMENTS'),
    pgLockTimeoutMs: intVar(env, 'VOUCH_PG_LOCK_TIMEOUT_MS', 5_000, 0, 600_000),
    logLevel,
    bodyLimit: intVar(env, 'VOUCH_BODY_LIMIT', 1024 * 1024, 1024, 64 * 1024 * 1024),
    requestTimeoutMs: intVar(env, 'VOUCH_REQUEST_TIMEOUT_MS', 60_000, 1000, 3_600_000),
    jsonMaxDepth: intVar(env, 'VOUCH_JSON_MAX_DEPTH', 64, 2, 1024),
    rateLimitMax: intVar(env, 'VOUCH_RATE_LIMIT_MAX', 600, 1, 1_000_000),
    rateLimitWindowMs: intVar(env, 'VOUCH_RATE_LIMIT_WINDOW_MS', 60_000, 1000, 86_400_000),
    powDifficulty: intVar(env, 'VOUCH_POW_DIFFICULTY', 4, 0, 16),
    slugRegisterRateLimit: {
      max: intVar(env, 'VOUCH_SLUG_REGISTER_RATE_MAX', 20, 1, 1_000_000),
      windowMs: intVar(env, 'VOUCH_SLUG_REGISTER_RATE_WINDOW_MS', 3_600_000, 1000, 86_400_000),
    },
    requireKeyProof: boolVar(env, 'VOUCH_REQUIRE_KEY_PROOF'),
    ...readDomainVerification(env),
    clockSkewSeconds: intVar(env, 'VOUCH_CLOCK_SKEW', 60, 0, 600),
    signatureWindowSeconds: intVar(env, 'VOUCH_SIGNATURE_WINDOW', 300, 1, 86_400),
    tokenRateLimits: {
      issue: intVar(env, 'VOUCH_TOKEN_ISSUE_RATE_MAX', 60, 1, 1_000_000_000),
      verify: intVar(env, 'VOUCH_TOKEN_VERIFY_RATE_MAX', 1200, 1, 1_000_000_000),
      revoke: intVar(env, 'VOUCH_TOKEN_REVOKE_RATE_MAX', 60, 1, 1_000_000_000),
    },
    signatureRateLimits: {
      sign: intVar(env, 'VOUCH_SIGN_RATE_MAX', 120, 1, 1_000_000_000),
      certify: intVar(env, 'VOUCH_CERTIFY_RATE_MAX', 60, 1, 1_000_000_000),
    },
    registry,
    reputation: {
      ingestBodyLimit: intVar(env, 'VOUCH_INGEST_BODY_LIMIT', 20 * 1024 * 1024, 1024, 256 * 1024 * 1024),
      ingestRateMax: intVar(env, 'VOUCH_INGEST_RATE_MAX', 600, 1, 1_000_000_000),
      defaultMaxPerDay: intVar(env, 'VOUCH_REPUTATION_MAX_PER_DAY', 10, 1, 1_000_000),
      environmentCap: intVar(env, 'VOUCH_REPUTATION_ENVIRONMENT_CAP', 50, 1, 1_000_000),
    },
    capabilities: {
      maxTtlSeconds: intVar(env, 'VOUCH_CAPABILITY_MAX_TTL', 3600, 1, 86_400),
      delegationMaxDepth: intVar(env, 'VOUCH_DELEGATION_MAX_DEPTH', 3, 0, 16),
    },
    unknownVariables: unknownVariablesOf(env),
    unusedVariables: unusedVariablesOf(env, { databaseUrl, registry }),
  };
}

/** Trust registry settings; consumer mode (`VOUCH_TRUST_REGISTRY_URL`) requires the pinned root key. */
function readRegistry(env: NodeJS.ProcessEnv, cwd: string): RegistryConfig {
  const path = (raw: string | undefined): string | undefined => {
    const v = raw?.trim() || undefined;
    return v === undefined ? undefined : isAbsolute(v) ? v : resolve(cwd, v);
  };
  // SINT_* are the seed's names, accepted as aliases.
  const urlName = env.VOUCH_TRUST_REGISTRY_URL?.trim() ? 'VOUCH_TRUST_REGISTRY_URL' : 'SINT_TRUST_REGISTRY_URL';
  let trustUrl = env[urlName]?.trim() || undefined;
  if (trustUrl !== undefined && !/^https?:\/\//i.test(trustUrl)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trustUrl)) {
      throw new ConfigError(`${urlName} must be an http(s) URL or a file path.`);
    }
    trustUrl = path(trustUrl);
  } else if (trustUrl !== undefined) {
    checkRegistryUrl(urlName, trustUrl);
  }
  const trustRootKey = env.VOUCH_TRUST_REGISTRY_ROOT_KEY?.trim() || undefined;
  if (trustUrl !== undefined && trustRootKey === undefined) {
    throw new ConfigError('VOUCH_TRUST_REGISTRY_ROOT_KEY is required with VOUCH_TRUST_REGISTRY_URL.');
  }
  // Blanks are unset, as for the URL: VOUCH_TRUST_REGISTRY_TTL set to blanks gives way to its alias.
  const ttlName = env.VOUCH_TRUST_REGISTRY_TTL?.trim() ? 'VOUCH_TRUST_REGISTRY_TTL' : 'SINT_TRUST_REGISTRY_TTL';
  return {
    rootKeyFile: path(env.VOUCH_REGISTRY_ROOT_KEY_FILE),
    validitySeconds: intVar(env, 'VOUCH_REGISTRY_VALIDITY', 7 * 86_400, 120, 366 * 86_400),
    trustUrl,
    trustRootKey,
    trustTtlSeconds: intVar(env, ttlName, 3600, 1, 30 * 86_400),
    trustMaxLifetimeSeconds: parseRegistryMaxLifetime(env.VOUCH_TRUST_REGISTRY_MAX_LIFETIME),
  };
}

/**
 * An http(s) registry URL must parse and carry no userinfo: the consumer logs its origin and path only, and
 * credentials belong in a signed URL's query or nowhere (fetch refuses userinfo anyway). Messages never echo the
 * value, which may hold such a token.
 */
function checkRegistryUrl(name: string, raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid http(s) URL.`);
  }
  if (url.username || url.password) {
    throw new ConfigError(`${name} must not carry credentials (user:password@); use a file path or a signed URL.`);
  }
}

/** DNS and domain-verification settings; the two test-only switches are refused in production. */
function readDomainVerification(
  env: NodeJS.ProcessEnv,
): Pick<
  Config,
  | 'dnsServers'
  | 'dnsTimeoutMs'
  | 'domainVerifyInsecure'
  | 'domainVerifyPublicTestAddresses'
  | 'domainRecheckIntervalMs'
  | 'domainProofGraceMs'
> {
  const production = env.NODE_ENV?.trim() === 'production';
  let dnsServers: string[];
  try {
    dnsServers = parseDnsServers(env.VOUCH_DNS_SERVERS ?? '');
  } catch (err) {
    throw new ConfigError(`VOUCH_DNS_SERVERS: ${(err as Error).message}`);
  }
  const domainVerifyInsecure = boolVar(env, 'VOUCH_DOMAIN_VERIFY_INSECURE');
  if (domainVerifyInsecure && production) {
    throw new ConfigError('VOUCH_DOMAIN_VERIFY_INSECURE=1 is refused when NODE_ENV=production.');
  }
  const publicTest = (env.VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (publicTest.length > 0 && production) {
    throw new ConfigError('VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES is refused when NODE_ENV=production.');
  }
  for (const a of publicTest) {
    if (!isLoopbackAddress(a)) {
      throw new ConfigError(`VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: "${a}" is not a loopback address.`);
    }
  }
  return {
    dnsServers,
    dnsTimeoutMs: intVar(env, 'VOUCH_DNS_TIMEOUT_MS', 2000, 100, 5000),
    domainVerifyInsecure,
    domainVerifyPublicTestAddresses: publicTest.map((a) => canonicalAddress(a)!),
    domainRecheckIntervalMs: secondsOrOffVar(env, 'VOUCH_DOMAIN_RECHECK_INTERVAL', 86_400, 60, 30 * 86_400),
    domainProofGraceMs: intVar(env, 'VOUCH_DOMAIN_PROOF_GRACE', 3 * 86_400, 0, 365 * 86_400) * 1000,
  };
}
