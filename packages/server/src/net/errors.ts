import { VouchError } from '@vouch/sdk';

/**
 * Why an outbound lookup or fetch was refused or failed. Callers switch on `code`:
 * - refused before any connection: `URL_INVALID`, `SCHEME_REFUSED`, `PORT_REFUSED`, `CREDENTIALS_REFUSED`,
 *   `HOST_REFUSED` (e.g. `localhost`), `ADDRESS_REFUSED` (loopback, private, link-local, ... after resolution);
 * - DNS: `DNS_FAILED`, `DNS_NO_ADDRESS`;
 * - connection and HTTP: `CONNECT_FAILED`, `TLS_FAILED`, `HTTP_FAILED`, `TOO_MANY_REDIRECTS`, `REDIRECT_INVALID`;
 * - `DEADLINE_EXCEEDED`: the whole operation ran past its deadline.
 */
export type NetErrorCode =
  | 'URL_INVALID'
  | 'SCHEME_REFUSED'
  | 'PORT_REFUSED'
  | 'CREDENTIALS_REFUSED'
  | 'HOST_REFUSED'
  | 'ADDRESS_REFUSED'
  | 'DNS_FAILED'
  | 'DNS_NO_ADDRESS'
  | 'CONNECT_FAILED'
  | 'TLS_FAILED'
  | 'HTTP_FAILED'
  | 'TOO_MANY_REDIRECTS'
  | 'REDIRECT_INVALID'
  | 'DEADLINE_EXCEEDED';

/** An outbound network operation refused or failed; `message` is one sentence without secrets. */
export class NetError extends VouchError<NetErrorCode> {}

/** Tells whether `e` is a {@link NetError}, optionally with the given `code`. */
export function isNetError(e: unknown, code?: NetErrorCode): e is NetError {
  return e instanceof NetError && (code === undefined || e.code === code);
}
