import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';

/** How long a kept-alive connection stays open after its last answer once the app is closing. */
const IDLE_AFTER_CLOSE_MS = 1000;

/** Whether the app has begun closing; read by the first onRequest hook (app.ts). */
export interface ClosingState {
  readonly now: boolean;
}

/**
 * Tracks when the app begins closing, so that requests arriving then (on a keep-alive connection still open for a
 * request in flight) are answered {@link shuttingDown} before any route hook runs. Fastify's own
 * `return503OnClosing` answers them too, but with a body that has no `code` and without the headers every answer
 * carries. The check lives in the hook that sets those headers: one hook fewer on every request.
 */
export function trackClosing(app: FastifyInstance): ClosingState {
  const state = { now: false };
  // preClose runs after Fastify marks itself closing and before server.close(): no request routed after it is
  // answered by a route.
  app.addHook('preClose', (done) => {
    state.now = true;
    // server.close() ends the connections idle at that moment; one whose request is still in flight goes idle later
    // and would stay open for the whole keep-alive timeout (72 s), holding close() until the shutdown grace cut it.
    // Node arms the idle timer from this value when a response finishes: such a connection now ends a second
    // after its last answer (a request sent before then is answered 503 with Connection: close).
    app.server.keepAliveTimeout = Math.min(app.server.keepAliveTimeout, IDLE_AFTER_CLOSE_MS);
    done();
  });
  return state;
}

/** 503 `SHUTTING_DOWN` with `Retry-After` and `Connection: close`: another process, or this one restarted, retries. */
export function shuttingDown(): ApiError {
  return new ApiError('SHUTTING_DOWN', 'This server is shutting down; retry the request.', {
    headers: { 'retry-after': '1', connection: 'close' },
  });
}
