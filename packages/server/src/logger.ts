import pino from 'pino';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';
import type { FastifyRequest } from 'fastify';
import type { LogLevel } from './config.ts';
import { shownPath } from './http/shown-path.ts';

/** Fields that hold a secret wherever they are. */
const SECRET_FIELDS = [
  'password',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'adminKey',
  'adminKeyPrevious',
  'privateKey',
  'private_key',
  'claimToken',
  'claim_token',
  'managementToken',
  'management_token',
  'linkingKey',
  'linking_key',
  'kek',
];

/** Headers that carry a credential: the admin key, a bearer secret, a session cookie. */
const SECRET_HEADERS = ['authorization', '["x-api-key"]', 'cookie', '["set-cookie"]'];

/**
 * Paths pino blanks in every log line. Request logging below records neither headers, bodies nor query
 * strings, so these are a second line of defence for anything that logs an object carrying a secret: a secret field
 * as a member of the logged object (`{ token }`: pino reads `*.token` only one level down) or of one of its members,
 * and a credential header in a logged `headers` object, at the top or one level down (`req.headers`, `res.headers`).
 */
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_HEADERS.flatMap((h) => {
    const member = h.startsWith('[') ? h : `.${h}`;
    return [`headers${member}`, `*.headers${member}`];
  }),
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
];

/**
 * What a request looks like in the log: no headers, no body, and the path without its query string, in the form a
 * 404 shows it (shownPath: at most SHOWN_PATH_MAX characters, control and invisible characters percent-encoded), so
 * that one request of up to the header limit (16 KiB) cannot write a 16 KiB line, nor anything that acts on a terminal.
 * The address too: behind VOUCH_TRUST_PROXY=true it is the first X-Forwarded-For entry, whatever the client wrote.
 */
function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  // A closed socket can leave req.ip undefined despite its type.
  const ip = typeof req.ip === 'string' ? shownPath(req.ip) : req.ip;
  return { id: req.id, method: req.method, path: shownPath(req.url.split('?')[0]!), ip };
}

/** The server's pino logger: JSON lines, secrets redacted, requests logged without headers or query strings. */
export function createLogger(level: LogLevel, stream?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'vouch' },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    serializers: {
      req: serializeRequest,
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  return stream ? pino(options, stream) : pino(options);
}
