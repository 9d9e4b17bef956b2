// Agent-signed requests (docs/PROTOCOL.md, "Agent-signed requests"): the agent's own Ed25519 key authenticates a
// call, so an agent needs no bearer secret to manage itself.
import { encodeBase64 } from '../encoding/base64.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { canonicalize } from '../json/canonicalize.ts';
import { sha256Hex } from '../hash/sha256.ts';
import type { JsonValue } from '../json/types.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import type { PrivateKey } from '../keys/key.ts';

/** Domain separator of the string an agent signs for a request. */
export const SIGNED_REQUEST_VERSION = 'vouch-request-v1';

/**
 * The exact string an agent signs for a request:
 * `vouch-request-v1\n<METHOD>\n<path and query as sent>\n<signedAt ms>\n<content sha256 hex>`.
 */
export function signedRequestString(method: string, pathAndQuery: string, signedAt: number, contentHash: string) {
  return `${SIGNED_REQUEST_VERSION}\n${method.toUpperCase()}\n${pathAndQuery}\n${signedAt}\n${contentHash}`;
}

/**
 * The four `X-Vouch-*` headers of a request signed by `privateKey` for agent `did`. `body` is the JSON value sent
 * (its RFC 8785 form is hashed), or undefined for no body.
 */
export async function signRequestHeaders(
  crypto: CryptoProvider,
  agent: { did: string; privateKey: PrivateKey },
  method: string,
  pathAndQuery: string,
  body: JsonValue | undefined,
  signedAt: number,
): Promise<Record<string, string>> {
  const content = body === undefined || body === null ? '' : canonicalize(body);
  const contentHash = await sha256Hex(content, crypto);
  const message = signedRequestString(method, pathAndQuery, signedAt, contentHash);
  const signature = await crypto.sign('EdDSA', agent.privateKey, encodeUtf8(message));
  return {
    'x-vouch-agent': agent.did,
    'x-vouch-signed-at': String(signedAt),
    'x-vouch-content-sha256': contentHash,
    'x-vouch-signature': encodeBase64(signature),
  };
}
