// Minimal strict PEM (RFC 7468) reader/writer: one block, no headers (so no legacy encrypted PEM), base64 body
// in lines of any length, LF or CRLF. Internal.
import { VouchError } from '../errors.ts';
import { decodeBase64, encodeBase64 } from '../encoding/base64.ts';

const BEGIN = /^-----BEGIN ([A-Z0-9]+(?: [A-Z0-9]+)*)-----$/;
const BODY_LINE = /^[A-Za-z0-9+/=]+$/;

export function looksLikePem(text: string): boolean {
  return text.trimStart().startsWith('-----BEGIN ');
}

export function decodePem(text: string): { label: string; der: Uint8Array } {
  const lines = text.trim().split(/\r?\n/);
  const label = lines.length >= 3 ? BEGIN.exec(lines[0]!)?.[1] : undefined;
  if (label === undefined) throw new VouchError('INVALID_PEM', 'The PEM text has no valid BEGIN line or no body.');
  if (lines[lines.length - 1] !== `-----END ${label}-----`) {
    throw new VouchError('INVALID_PEM', 'The PEM text has no END line matching its BEGIN line, or text after it.');
  }
  const body = lines.slice(1, -1);
  if (!body.every((line) => BODY_LINE.test(line))) {
    throw new VouchError('INVALID_PEM', 'The PEM body contains headers, blank lines or non-base64 characters.');
  }
  try {
    return { label, der: decodeBase64(body.join('')) };
  } catch (err) {
    throw new VouchError('INVALID_PEM', 'The PEM body is not valid base64.', { cause: err });
  }
}

export function encodePem(label: string, der: Uint8Array): string {
  const b64 = encodeBase64(der);
  let out = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < b64.length; i += 64) out += b64.slice(i, i + 64) + '\n';
  return out + `-----END ${label}-----\n`;
}
