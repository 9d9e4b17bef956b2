// A tool manifest is signed by the server's `tool-manifest` key: the signature covers the RFC 8785 JSON of
// {type: "vouch-tool-manifest-v1", did, slug, tool_manifest_hash, updated_at} (docs/PROTOCOL.md "Tool manifests").
import { decodeBase64 } from '../encoding/base64.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { canonicalize } from '../json/canonicalize.ts';
import { sha256Hex } from '../hash/sha256.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { keysFromJwks } from '../jwt/keys.ts';
import { ed25519KeysOf } from '../keys/vouch-keys.ts';
import type { ToolManifest, VouchKeys } from '../client/types.ts';
import { defaultCrypto } from '../client/runtime.ts';
import { failureOf, invalid } from './result.ts';
import { cryptoOption } from '../lib/crypto-option.ts';
import type { VerifyResult } from './result.ts';

/** The server key purpose that signs tool manifests. */
export const TOOL_MANIFEST_KEY_PURPOSE = 'tool-manifest';
/** The `type` member of the signed statement. */
export const TOOL_MANIFEST_TYPE = 'vouch-tool-manifest-v1';
/** The `agent_status` values the protocol defines (docs/PROTOCOL.md "Tool manifests"). */
const AGENT_STATUSES: readonly string[] = ['unclaimed', 'claimed', 'revoked'];

/** The server's agent-status members are well-formed: absent (a server before them), or of the protocol's values. */
function statusMembersWellFormed(m: Partial<ToolManifest>): boolean {
  if (
    m.agent_status !== undefined &&
    !(typeof m.agent_status === 'string' && AGENT_STATUSES.includes(m.agent_status))
  ) {
    return false;
  }
  return m.revoked_at === undefined || m.revoked_at === null || typeof m.revoked_at === 'string';
}

/**
 * Whether the answer marks the agent revoked. The status members are not signed, so any one mark refuses: editing
 * `agent_status` back to an active value still leaves `revoked_at` and `code`.
 */
function markedRevoked(m: Partial<ToolManifest>): boolean {
  return m.agent_status === 'revoked' || typeof m.revoked_at === 'string' || m.code === 'AGENT_REVOKED';
}

/**
 * Verifies a signed tool manifest (`GET /v1/identity/{slug}/tools`) offline against the cached
 * `/.well-known/vouch-keys.json`: the manifest hash recomputed from `tools` and `tool_descriptions`
 * (`MANIFEST_HASH_MISMATCH`), the key `signature_kid` with purpose `tool-manifest`, read as {@link keysFromJwks} reads a
 * JWKS (`MANIFEST_KEY_UNKNOWN` also when the kid is listed twice, which is ambiguous; retired keys still count, since
 * what they signed stays valid), the Ed25519 signature (`MANIFEST_SIGNATURE_INVALID`), then
 * the agent's standing: a manifest the server answers for a revoked agent (`agent_status: "revoked"`, a `revoked_at`,
 * or `code: "AGENT_REVOKED"`) is `AGENT_REVOKED` with `signatureValid: true` — the server did sign it, but the agent
 * no longer stands behind it. The status is not covered by the signature: it is the server's answer, trusted as far
 * as the channel it came over. Malformed input, an `agent_status` the protocol does not define included, is
 * `MANIFEST_INVALID`.
 *
 * @example
 * ```ts
 * const r = await verifyToolManifest(await client.identity.getTools('my-bot'), cache);
 * if (r.valid && r.tools.includes('read_file')) ...
 * ```
 */
export async function verifyToolManifest(
  manifest: ToolManifest,
  cache: { vouchKeys: VouchKeys },
  given?: { crypto?: CryptoProvider },
): Promise<
  VerifyResult<{ did: string; slug: string | null; tools: string[]; kid: string }> & { signatureValid?: boolean }
> {
  let crypto: CryptoProvider;
  try {
    crypto = cryptoOption(given?.crypto, defaultCrypto); // null options: the defaults, as when absent
  } catch (err) {
    return failureOf(err); // not a provider: a verdict, not a TypeError at the first hash
  }
  const m = manifest as Partial<ToolManifest> | null;
  if (
    m === null ||
    typeof m !== 'object' ||
    !Array.isArray(m.tools) ||
    !m.tools.every((t) => typeof t === 'string') ||
    typeof m.tool_descriptions !== 'object' ||
    m.tool_descriptions === null ||
    typeof m.did !== 'string' ||
    !(typeof m.agent_slug === 'string' || m.agent_slug === null) ||
    typeof m.tool_manifest_hash !== 'string' ||
    typeof m.updated_at !== 'string' ||
    typeof m.signature !== 'string' ||
    typeof m.signature_kid !== 'string' ||
    !statusMembersWellFormed(m)
  ) {
    return invalid('MANIFEST_INVALID', 'The tool manifest lacks members or has members of the wrong type.');
  }
  let canonical: string;
  try {
    canonical = canonicalize({ tools: m.tools, tool_descriptions: m.tool_descriptions });
  } catch {
    // JSON can carry what RFC 8785 cannot hash (a lone surrogate, "\ud800"): the manifest is malformed, not a throw.
    return invalid('MANIFEST_INVALID', 'The tools or tool descriptions cannot be hashed as RFC 8785 JSON.');
  }
  const hash = await sha256Hex(canonical, crypto);
  if (hash !== m.tool_manifest_hash) {
    return invalid('MANIFEST_HASH_MISMATCH', 'tool_manifest_hash is not the hash of these tools and descriptions.');
  }
  // The same resolver as the capability keys: a kid listed twice is ambiguous and resolves to no key, whichever
  // entry signed, rather than to whichever comes first.
  const resolveKey = keysFromJwks({ keys: ed25519KeysOf(cache?.vouchKeys, TOOL_MANIFEST_KEY_PURPOSE) });
  const key = await resolveKey(m.signature_kid, { alg: 'EdDSA', kid: m.signature_kid });
  if (key === undefined) {
    return invalid(
      'MANIFEST_KEY_UNKNOWN',
      "The signing key is not listed exactly once among the server's tool-manifest keys.",
    );
  }
  let ok = false;
  try {
    const statement = {
      type: TOOL_MANIFEST_TYPE,
      did: m.did,
      slug: m.agent_slug,
      tool_manifest_hash: m.tool_manifest_hash,
      updated_at: m.updated_at,
    };
    ok = await crypto.verify('EdDSA', key, decodeBase64(m.signature), encodeUtf8(canonicalize(statement)));
  } catch {
    ok = false;
  }
  if (!ok) return invalid('MANIFEST_SIGNATURE_INVALID', "The signature is not the server's over this manifest.");
  if (markedRevoked(m)) {
    return {
      ...invalid('AGENT_REVOKED', 'The manifest is signed, but the agent has been revoked.'),
      signatureValid: true,
    };
  }
  return { valid: true, did: m.did, slug: m.agent_slug, tools: [...m.tools], kid: m.signature_kid };
}
