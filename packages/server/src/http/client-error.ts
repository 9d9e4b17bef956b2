import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { ApiError } from '../errors.ts';
import type { CorsHeaderPairs } from './cors.ts';

/** What Node's `clientError` event carries: its code, and (never read here) the raw bytes it refused. */
interface ClientError extends Error {
  code?: string;
}

/** Node's parser codes mapped to the API's; anything else it refuses is an unparsable request. */
function toApiError(code: string | undefined): ApiError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError('HEADERS_TOO_LARGE', 'The request headers are larger than this server accepts.');
    // Node (18+) raises this for both its request timeout and its headers timeout.
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError('REQUEST_TIMEOUT', 'The request was not received in time.');
    default:
      return new ApiError('VALIDATION_FAILED', 'The request could not be parsed.');
  }
}

/**
 * The headers of an error answered outside Fastify (its hooks add them to every other answer): JSON, not cached,
 * not sniffed, and the connection closed, since what follows on it cannot be trusted or will never come.
 */
function errorHeaders(text: string): Array<[string, string]> {
  return [
    ['Content-Type', 'application/json; charset=utf-8'],
    ['Content-Length', String(Buffer.byteLength(text))],
    ['Cache-Control', 'no-store'],
    ['X-Content-Type-Options', 'nosniff'],
    ['Connection', 'close'],
  ];
}

/** A parsed request's Origin, when it carries one. */
function origin(req: IncomingMessage): string | undefined {
  return typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
}

/** The `{error, code}` JSON of an answer. */
function body(api: ApiError): string {
  return JSON.stringify({ error: api.message, code: api.code });
}

/** The status line and headers of an answer written straight to a socket, ending with the blank line. */
function rawHead(api: ApiError, text: string, extra: ReadonlyArray<readonly [string, string]> = []): string {
  const lines = [...errorHeaders(text), ...extra].map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${api.statusCode} ${STATUS_CODES[api.statusCode] ?? ''}\r\n${lines.join('')}\r\n`;
}

/**
 * Fastify's `clientErrorHandler`: answers a request Node's HTTP parser refused before Fastify saw it (malformed,
 * headers too large, timed out) with the same `{error, code}` JSON as every other error, then closes the connection.
 * Nothing from the request (`err.rawPacket`, the error's message) reaches the answer or the log. With an origin list
 * it carries `Vary: Origin` like every answer, but never `Access-Control-Allow-Origin`: the request's Origin is not
 * known, its head having been refused (or never received) before its headers were read.
 */
export function answerClientError(
  err: ClientError,
  socket: Socket,
  log?: FastifyBaseLogger,
  cors?: CorsHeaderPairs,
): void {
  // The peer is gone: there is nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) {
    socket.destroy();
    return;
  }
  const api = toApiError(err.code);
  // An id, as on every other answer, logged with the refusal so that a client quoting it can be found.
  const reqId = randomUUID();
  log?.debug({ reqId, code: err.code, status: api.statusCode }, 'client error');
  // Node sets `_httpMessage` to the in-flight response: once its head is written, more bytes would corrupt it.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const text = body(api);
  const head = rawHead(api, text, [['X-Request-Id', reqId], ...(cors?.(undefined) ?? [])]);
  // Destroyed once flushed: the parser is done with this connection, and a client that keeps it open holds a socket.
  socket.end(head + text, () => socket.destroy());
}

/**
 * The HTTP server's `checkExpectation` listener: a request whose `Expect` is not `100-continue` (RFC 9110 §10.1.1).
 * Node would answer it itself with a bare 417 (no body, none of the API's headers) and keep the connection; this
 * answers the API's JSON and closes it, since the body the client holds back never comes. The value is not echoed.
 * Its headers are read: the CORS headers are those of any other answer to its Origin.
 */
export function answerExpectation(req: IncomingMessage, res: ServerResponse, cors?: CorsHeaderPairs): void {
  const api = new ApiError('EXPECTATION_FAILED', 'This server takes no expectation other than 100-continue.');
  const text = body(api);
  res.shouldKeepAlive = false;
  const extra: ReadonlyArray<readonly [string, string]> = [
    ['X-Request-Id', randomUUID()],
    ...(cors?.(origin(req)) ?? []),
  ];
  res.writeHead(api.statusCode, [...errorHeaders(text), ...extra].flat()).end(text);
}

/**
 * The HTTP server's `connect` listener: a CONNECT request asks for a tunnel, which this server never opens. With no
 * listener Node drops the connection without a word; this answers 405 in the API's JSON and closes it. The target
 * and any bytes sent after the head are neither read nor echoed; its Origin gets the CORS headers of any answer.
 */
export function answerConnect(req: IncomingMessage, socket: Duplex, cors?: CorsHeaderPairs): void {
  const api = new ApiError('METHOD_NOT_ALLOWED', 'This server opens no tunnels: CONNECT is not served.');
  socket.on('error', () => socket.destroy());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = body(api);
  // A 405 names the target's methods (RFC 9110 §15.5.6): an empty Allow, since a tunnel's target is no resource here.
  const head = rawHead(api, text, [['Allow', ''], ['X-Request-Id', randomUUID()], ...(cors?.(origin(req)) ?? [])]);
  socket.end(head + text, () => socket.destroy());
}
