import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import { VERSION } from '../version.ts';
import { addressRefusal } from './address.ts';
import type { AddressPolicy } from './address.ts';
import { createConnector } from './connector.ts';
import type { Connector, ConnectorOptions } from './connector.ts';
import type { DnsClient, ResolvedAddress } from './dns.ts';
import { NetError } from './errors.ts';

/** Whole-operation deadline: DNS, connections, TLS, every redirect and the body. */
export const FETCH_DEADLINE_MS = 5000;
/** Bytes of response body kept; the rest is not read and the connection is closed. */
export const FETCH_MAX_BODY_BYTES = 64 * 1024;
/** Redirects followed; one more is an error. */
export const FETCH_MAX_REDIRECTS = 3;
/** How long a connection to one address may take while the host has further addresses to try. */
export const FETCH_CONNECT_ATTEMPT_MS = 1000;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface SafeFetchOptions {
  /** Resolves host names; its servers decide what a name means (`VOUCH_DNS_SERVERS`). */
  dns: Pick<DnsClient, 'resolveAddresses'>;
  /** Opens connections to checked addresses; default {@link createConnector} with `ca`. */
  connect?: Connector;
  /** Trusted CAs for the default connector (replace the bundled roots). Ignored when `connect` is given. */
  ca?: ConnectorOptions['ca'];
  /**
   * `VOUCH_DOMAIN_VERIFY_INSECURE=1`: also http, any port, loopback addresses and `localhost`. Private, link-local
   * and the other refused ranges stay refused.
   */
  insecure?: boolean;
  /** Loopback addresses treated as public (tests only). */
  publicTestAddresses?: readonly string[];
  /** Default {@link FETCH_DEADLINE_MS}. */
  deadlineMs?: number;
  /** Default {@link FETCH_MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
  /** Default {@link FETCH_MAX_REDIRECTS}. */
  maxRedirects?: number;
  /** Default {@link FETCH_CONNECT_ATTEMPT_MS}; the last address gets what is left of the deadline. */
  connectAttemptMs?: number;
  /** The `Accept` header; default: any type. */
  accept?: string;
  /**
   * Whether to follow a redirect to `next` (parsed, not yet checked); default: every one. A refused target is never
   * resolved or connected to: the redirect itself is the answer, with `refusedRedirect` set.
   */
  followRedirect?: (next: URL) => boolean;
}

export interface SafeFetchResponse {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  /** At most `maxBodyBytes` bytes of the body. */
  body: Buffer;
  /** True when the body was longer than `maxBodyBytes` and was cut. */
  truncated: boolean;
  /** Each redirect target followed, in order. */
  redirects: readonly string[];
  /** The redirect target `followRedirect` refused, when the answer is that redirect (its body is not read). */
  refusedRedirect?: string;
}

/**
 * GETs a URL without letting it reach anything but the public internet (SSRF-safe):
 * 1. the URL must be `https:` on port 443, without credentials (insecure mode: also `http:` and any port);
 * 2. an IP-literal host in any spelling (`2130706433`, `0x7f.1`, `127.1`, `[::ffff:127.0.0.1]`) is normalised
 *    by the WHATWG URL parser and checked like any address; `localhost` and single-label names are refused;
 * 3. a name is resolved first and EVERY address it resolves to must be public ({@link addressRefusal}), or nothing
 *    is connected at all;
 * 4. the connection goes to a checked address — never to the name again — with the name as TLS SNI, certificate
 *    name and Host header, so a DNS answer that changes between check and use (rebinding) cannot redirect it;
 * 5. every redirect (at most `maxRedirects`) that `followRedirect` allows goes through 1-4 again;
 * 6. one deadline covers everything, and at most `maxBodyBytes` of the body are read.
 * No cookies are kept or sent, no proxy or connection pool is used, and bodies are requested uncompressed.
 *
 * @example
 * const res = await safeFetch('https://example.com/.well-known/vouch-verify.txt', { dns: createDnsClient() });
 * if (res.status === 200) console.log(res.body.toString('utf8'));
 */
export async function safeFetch(input: string | URL, options: SafeFetchOptions): Promise<SafeFetchResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.deadlineMs ?? FETCH_DEADLINE_MS);
  const expired = new Promise<never>((_resolve, reject) => {
    controller.signal.addEventListener('abort', () =>
      reject(new NetError('DEADLINE_EXCEEDED', 'The fetch ran past its deadline.')),
    );
  });
  expired.catch(() => undefined);
  try {
    return await Promise.race([run(input, options, controller.signal), expired]);
  } finally {
    clearTimeout(timer);
    controller.abort(); // releases anything still open
  }
}

async function run(input: string | URL, options: SafeFetchOptions, signal: AbortSignal): Promise<SafeFetchResponse> {
  const insecure = options.insecure === true;
  const policy: AddressPolicy = { allowLoopback: insecure, publicTestAddresses: options.publicTestAddresses };
  const connect = options.connect ?? createConnector({ ca: options.ca });
  const maxRedirects = options.maxRedirects ?? FETCH_MAX_REDIRECTS;
  const redirects: string[] = [];
  let url = checkUrl(input, insecure);
  for (;;) {
    const addresses = await vetHost(url, policy, insecure, options.dns, signal);
    const attemptMs = options.connectAttemptMs ?? FETCH_CONNECT_ATTEMPT_MS;
    const { res, socket } = await requestAny(url, addresses, connect, options.accept ?? '*/*', signal, attemptMs);
    const location = res.headers.location;
    if (REDIRECT_STATUSES.has(res.statusCode ?? 0) && typeof location === 'string') {
      res.destroy();
      socket.destroy();
      if (redirects.length >= maxRedirects) {
        throw new NetError('TOO_MANY_REDIRECTS', `More than ${maxRedirects} redirects; not followed.`);
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new NetError('REDIRECT_INVALID', 'A redirect pointed to an invalid URL.');
      }
      if (options.followRedirect?.(next) === false) {
        return {
          url: url.href,
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.alloc(0),
          truncated: false,
          redirects,
          refusedRedirect: next.href,
        };
      }
      url = checkUrl(next, insecure);
      redirects.push(url.href);
      continue;
    }
    const { body, truncated } = await readBody(res, socket, options.maxBodyBytes ?? FETCH_MAX_BODY_BYTES, signal);
    return { url: url.href, status: res.statusCode ?? 0, headers: res.headers, body, truncated, redirects };
  }
}

/** Step 1: scheme, port and credentials; the WHATWG parser has already normalised the host. */
function checkUrl(input: string | URL, insecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(typeof input === 'string' ? input : input.href);
  } catch {
    throw new NetError('URL_INVALID', 'The URL is not valid.');
  }
  if (url.protocol !== 'https:' && !(insecure && url.protocol === 'http:')) {
    throw new NetError('SCHEME_REFUSED', `Only https URLs are fetched, not ${url.protocol.replace(/:$/, '')}.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new NetError('CREDENTIALS_REFUSED', 'URLs carrying credentials are not fetched.');
  }
  // WHATWG drops the scheme's default port, so any port left is not 443.
  if (!insecure && url.port !== '') throw new NetError('PORT_REFUSED', 'Only port 443 is fetched.');
  url.hash = '';
  return url;
}

/** Steps 2-3: the addresses this URL's host may be reached at, every one of them checked. */
async function vetHost(
  url: URL,
  policy: AddressPolicy,
  insecure: boolean,
  dns: Pick<DnsClient, 'resolveAddresses'>,
  signal: AbortSignal,
): Promise<ResolvedAddress[]> {
  const host = hostOf(url);
  const family = isIP(host);
  if (family !== 0) {
    const reason = addressRefusal(host, policy);
    if (reason !== null) throw new NetError('ADDRESS_REFUSED', `Connecting to ${host} is refused: it is ${reason}.`);
    return [{ address: host, family: family as 4 | 6 }];
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    // RFC 6761: these names are loopback, whatever a DNS server says.
    if (!insecure) throw new NetError('HOST_REFUSED', `Connecting to ${host} is refused: it is loopback.`);
    return [{ address: '127.0.0.1', family: 4 }];
  }
  if (!insecure && !host.includes('.')) {
    throw new NetError('HOST_REFUSED', `Connecting to ${host} is refused: single-label names are not public.`);
  }
  const addresses = await dns.resolveAddresses(host, signal);
  if (addresses.length === 0) throw new NetError('DNS_NO_ADDRESS', `${host} has no A or AAAA record.`);
  for (const a of addresses) {
    const reason = addressRefusal(a.address, policy);
    // The address is not echoed: with a split-horizon resolver it would reveal internal names' addresses.
    if (reason !== null) {
      throw new NetError('ADDRESS_REFUSED', `${host} resolves to an address that is ${reason}; refused.`);
    }
  }
  return addresses;
}

/**
 * The URL's host as an address or a name: no brackets, no trailing dots. All of them: WHATWG keeps `localhost..`,
 * and with one dot dropped it would pass the name checks as `localhost.` and go to DNS.
 */
function hostOf(url: URL): string {
  const h = url.hostname;
  if (h.startsWith('[') && h.endsWith(']')) return h.slice(1, -1);
  let end = h.length; // a loop: /\.+$/ backtracks quadratically over a long run of inner dots
  while (end > 0 && h[end - 1] === '.') end--;
  return h.slice(0, end);
}

/**
 * Step 4: tries the checked addresses in order until one connects; TLS and HTTP failures are final. While further
 * addresses remain, a connection gets `attemptMs`: an address that drops packets would otherwise use the whole
 * deadline, and the host's working addresses would never be tried.
 */
async function requestAny(
  url: URL,
  addresses: readonly ResolvedAddress[],
  connect: Connector,
  accept: string,
  signal: AbortSignal,
  attemptMs: number,
): Promise<{ res: IncomingMessage; socket: Socket }> {
  let last: unknown;
  for (const [i, a] of addresses.entries()) {
    try {
      return await requestOnce(url, a, connect, accept, signal, i < addresses.length - 1 ? attemptMs : undefined);
    } catch (err) {
      last = err;
      if (!(err instanceof NetError) || err.code !== 'CONNECT_FAILED') throw err;
    }
  }
  throw last;
}

function requestOnce(
  url: URL,
  target: ResolvedAddress,
  connect: Connector,
  accept: string,
  signal: AbortSignal,
  connectWithinMs: number | undefined,
): Promise<{ res: IncomingMessage; socket: Socket }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new NetError('DEADLINE_EXCEEDED', 'The fetch ran past its deadline.'));
      return;
    }
    const tls = url.protocol === 'https:';
    const hostname = hostOf(url);
    let socket: Socket;
    try {
      socket = connect({
        address: target.address,
        family: target.family,
        port: url.port === '' ? (tls ? 443 : 80) : Number(url.port),
        hostname,
        tls,
      });
    } catch (err) {
      reject(new NetError('CONNECT_FAILED', `Could not connect to ${hostname}.`, { cause: err }));
      return;
    }
    const onAbort = () => socket.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => signal.removeEventListener('abort', onAbort));
    if (connectWithinMs !== undefined && (socket.connecting || socket.pending)) {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new NetError('CONNECT_FAILED', `Could not connect to ${hostname} in ${connectWithinMs} ms.`));
      }, connectWithinMs);
      const connected = () => clearTimeout(timer);
      socket.once('connect', connected);
      socket.once('close', connected);
    }
    const req = httpRequest({
      createConnection: () => socket,
      method: 'GET',
      path: `${url.pathname}${url.search}`,
      setHost: false,
      headers: {
        host: url.host,
        'user-agent': `Vouch/${VERSION} (domain verification)`,
        accept,
        'accept-encoding': 'identity',
        connection: 'close',
      },
    });
    req.once('response', (res) => resolve({ res, socket }));
    req.once('error', (err) => {
      socket.destroy();
      reject(
        signal.aborted ? new NetError('DEADLINE_EXCEEDED', 'The fetch ran past its deadline.') : wrap(err, hostname),
      );
    });
    req.end();
  });
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_|HOSTNAME_MISMATCH)/;

function wrap(err: Error, hostname: string): NetError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (TLS_CODES.test(code)) {
    return new NetError('TLS_FAILED', `The TLS connection to ${hostname} failed (${code}).`, { cause: err });
  }
  if (code.startsWith('HPE_')) {
    return new NetError('HTTP_FAILED', `${hostname} sent a malformed HTTP response.`, { cause: err });
  }
  return new NetError('CONNECT_FAILED', `Could not connect to ${hostname} (${code || 'closed'}).`, { cause: err });
}

/** Step 6: at most `max` bytes; past that the connection is closed instead of read. */
function readBody(
  res: IncomingMessage,
  socket: Socket,
  max: number,
  signal: AbortSignal,
): Promise<{ body: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: { body: Buffer; truncated: boolean } | NetError) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (outcome instanceof NetError) reject(outcome);
      else resolve(outcome);
    };
    const onAbort = () => {
      res.destroy();
      socket.destroy();
      settle(new NetError('DEADLINE_EXCEEDED', 'The fetch ran past its deadline.'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      const room = max - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        size += room;
        res.destroy();
        socket.destroy();
        settle({ body: Buffer.concat(chunks, size), truncated: true });
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    res.once('end', () => {
      socket.destroy();
      settle({ body: Buffer.concat(chunks, size), truncated: false });
    });
    res.once('error', () => settle(new NetError('HTTP_FAILED', 'The response body was cut off.')));
    res.once('close', () => {
      if (!res.complete) settle(new NetError('HTTP_FAILED', 'The connection closed before the body ended.'));
    });
  });
}
