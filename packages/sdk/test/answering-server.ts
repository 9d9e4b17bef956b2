// A loopback HTTP server that answers what a test says (for client behaviour on answers a Vouch server never gives),
// closed with the test.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isVouchError } from '../src/index.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A request as the server received it, its body as text. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * Serves `handler` (called once each request's body has been read); `seen` lists the request URLs in order,
 * `requests` the same requests as `METHOD URL`, and `received` each request with its headers and body.
 */
export async function serveAnswers(
  t: { after: (fn: () => Promise<void>) => void },
  handler: Handler,
): Promise<{ url: string; seen: string[]; requests: string[]; received: Received[] }> {
  const seen: string[] = [];
  const requests: string[] = [];
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push(req.url!);
      requests.push(`${req.method} ${req.url}`);
      received.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, requests, received };
}

/** A handler answering `body` (text, or bytes sent as they are) as `type` with `status`. */
export const respond =
  (type: string, body: string | Uint8Array, status = 200): Handler =>
  (_req, res) =>
    void res.writeHead(status, { 'content-type': type }).end(body);

/** For assert.rejects: the error is RESPONSE_INVALID. */
export function responseInvalid(err: unknown): true {
  assert.ok(isVouchError(err, 'RESPONSE_INVALID'), `expected RESPONSE_INVALID, got ${String(err)}`);
  return true;
}
