// Signs a fuzzed request as the world's key-registered agent, over the request as it is sent: the SDK's own
// signRequestHeaders (what the CLI and VouchAgent send), with the method, the path and query string, the time and
// the SHA-256 of the body's RFC 8785 form.
import { getDefaultCrypto, signRequestHeaders } from '@vouch/sdk';
import type { JsonValue } from '@vouch/sdk';
import type { FuzzCredentials, FuzzRequest } from './request-arbitrary.ts';

/** The body the server will hash: the payload parsed as JSON, or none (a body that is not JSON hashes as none). */
function signedBody(payload: FuzzRequest['payload']): JsonValue | undefined {
  if (payload === undefined) return undefined;
  try {
    return JSON.parse(String(payload)) as JsonValue;
  } catch {
    return undefined;
  }
}

/**
 * `req`'s headers, with the four `X-Vouch-*` headers of a signature made `now` by `creds.signer` when the request
 * asks to be signed (and a JSON content type when it has a body); unchanged otherwise.
 */
export async function signFuzzRequest(
  req: FuzzRequest,
  creds: FuzzCredentials,
  now: number,
): Promise<Record<string, string>> {
  if (req.sign !== true) return req.headers;
  const sign = (body: JsonValue | undefined) =>
    signRequestHeaders(getDefaultCrypto(), creds.signer, req.method, req.url, body, now);
  // A body RFC 8785 refuses (nested past its depth limit) cannot be signed: signed as none, the server refuses it.
  const signature = await sign(signedBody(req.payload)).catch(() => sign(undefined));
  const json: Record<string, string> = req.payload === undefined ? {} : { 'content-type': 'application/json' };
  return { ...req.headers, ...json, ...signature };
}
