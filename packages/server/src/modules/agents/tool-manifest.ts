// Tool manifests (Treeship): the tools an agent is authorized to use, hashed with RFC 8785 and signed by the
// server's `tool-manifest` Ed25519 key, which /.well-known/vouch-keys.json publishes.
import { sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { canonicalize, encodeBase64, encodeUtf8, sha256HexSync } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { ensureServerKey } from '../../storage/index.ts';

/** The server key purpose that signs tool manifests. */
export const TOOL_MANIFEST_KEY_PURPOSE = 'tool-manifest';

/** The `type` member of every signed manifest statement. */
export const TOOL_MANIFEST_TYPE = 'vouch-tool-manifest-v1';

export interface NormalizedManifest {
  /** Sorted (by UTF-16 code units) and de-duplicated. */
  tools: string[];
  tool_descriptions: Record<string, string>;
}

/**
 * Sorts and de-duplicates the tools; every described tool must be one of them (400 naming the field otherwise).
 *
 * @example
 * normalizeManifest(['b', 'a', 'b'], { a: 'x' }); // { tools: ['a', 'b'], tool_descriptions: { a: 'x' } }
 */
export function normalizeManifest(tools: string[], descriptions: Record<string, string> = {}): NormalizedManifest {
  const sorted = [...new Set(tools)].sort();
  const known = new Set(sorted);
  const out: Record<string, string> = {};
  for (const name of Object.keys(descriptions).sort()) {
    if (!known.has(name)) {
      throw new ApiError('VALIDATION_FAILED', `body.tool_descriptions.${name} describes a tool that is not in tools.`, {
        field: `body.tool_descriptions.${name}`,
      });
    }
    out[name] = descriptions[name]!;
  }
  return { tools: sorted, tool_descriptions: out };
}

/**
 * The tools of a stored manifest (its `tools` column, JSON), or `[]` for none. A manifest declaring no tool proves
 * nothing, so it earns no score (see score.ts).
 *
 * @example
 * storedTools('["read_file"]'); // ['read_file']
 * storedTools(null); // []
 */
export function storedTools(text: string | null): string[] {
  if (text === null) return [];
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
}

/**
 * `tool_manifest_hash`: SHA-256 hex of the RFC 8785 JSON of `{tools, tool_descriptions}` (descriptions `{}` when
 * none were given).
 *
 * @example
 * manifestHash({ tools: ['read_file'], tool_descriptions: {} });
 */
export function manifestHash(m: NormalizedManifest): string {
  return sha256HexSync(canonicalize({ tools: m.tools, tool_descriptions: m.tool_descriptions }));
}

/**
 * Most bytes a manifest's RFC 8785 JSON (what is hashed, stored and served) may take: 640 KiB. Every manifest in
 * ASCII fits (500 tool names of 128 characters, each described in 1,000 characters: 632,533 bytes), and so does
 * its largest body sent as JSON, 65 KB more at most (every tool listed twice), within the route's 1 MiB body limit
 * (body-limits.ts); 500 descriptions of 1,000 multi-byte characters (up to 2.1 MB) would not.
 */
export const MAX_MANIFEST_BYTES = 640 * 1024;

/**
 * Throws `TOOL_MANIFEST_TOO_LARGE` (400) when the manifest's RFC 8785 JSON is longer than
 * {@link MAX_MANIFEST_BYTES} bytes.
 *
 * @example
 * assertManifestSize({ tools: ['read_file'], tool_descriptions: {} }); // returns
 */
export function assertManifestSize(m: NormalizedManifest): void {
  const bytes = encodeUtf8(canonicalize({ tools: m.tools, tool_descriptions: m.tool_descriptions })).length;
  if (bytes > MAX_MANIFEST_BYTES) {
    throw new ApiError(
      'TOOL_MANIFEST_TOO_LARGE',
      `The tool manifest is ${bytes} bytes as RFC 8785 JSON; at most ${MAX_MANIFEST_BYTES} are kept (shorter descriptions fit).`,
      { field: 'body.tool_descriptions' },
    );
  }
}

/** The statement the server signs (RFC 8785 JSON, UTF-8): what a verifier rebuilds from a manifest response. */
export interface ManifestStatement {
  type: typeof TOOL_MANIFEST_TYPE;
  did: string;
  slug: string | null;
  tool_manifest_hash: string;
  /** ISO-8601, as in the response's `updated_at`. */
  updated_at: string;
}

export function manifestStatement(
  did: string,
  slug: string | null,
  hash: string,
  updatedAtMs: number,
): ManifestStatement {
  return {
    type: TOOL_MANIFEST_TYPE,
    did,
    slug,
    tool_manifest_hash: hash,
    updated_at: new Date(updatedAtMs).toISOString(),
  };
}

/** The active signing key, created on first use. Call it outside any transaction (it uses the pool). */
export async function manifestSigningKey(ctx: AppContext): Promise<{ kid: string; privateKey: KeyObject }> {
  const key = await ensureServerKey(ctx.storage, ctx.kek, TOOL_MANIFEST_KEY_PURPOSE, 'EdDSA', ctx.clock.now());
  return { kid: key.kid, privateKey: key.privateKey };
}

/** Signs a statement with Ed25519 on the threadpool; standard base64 (identity.app's signature encoding). */
export function signStatement(privateKey: KeyObject, statement: ManifestStatement): Promise<string> {
  const data = encodeUtf8(canonicalize(statement));
  return new Promise((resolve, reject) =>
    sign(null, data, privateKey, (err, sig) => (err ? reject(err) : resolve(encodeBase64(sig)))),
  );
}
