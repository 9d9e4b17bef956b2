// A loopback HTTP server that answers what a test says (for client behaviour on answers a Vouch server never gives),
// closed with the test.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isVouchError } from '../src/index.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Serves `handler` (called once each request's body has been read); `seen` lists the request URLs in order, and
 * `requests` the same requests as `METHOD URL`.
 */
export async function serveAnswers(
  t: { after: (fn: () => Promise<void>) => void },
  handler: Handler,
): Promise<{ url: string; seen: string[]; requests: string[] }> {
  const seen: string[] = [];
  const requests: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(req.url!);
      requests.push(`${req.method} ${req.url}`);
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
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, requests };
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
