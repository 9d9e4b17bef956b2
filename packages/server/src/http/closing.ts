import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';

/**
 * Answers requests that arrive while the app is closing (on a keep-alive connection still open for a request in
 * flight) with 503 `SHUTTING_DOWN` JSON, `Retry-After` and `Connection: close`, before any route hook runs.
 * Fastify's own `return503OnClosing` answers them too, but with a body that has no `code` and without the headers
 * every answer carries. Install it right after the hook that sets those headers.
 */
export function installClosingAnswer(app: FastifyInstance): void {
  let closing = false;
  // preClose runs after Fastify marks itself closing and before server.close(): no request routed after it is
  // answered by a route.
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (_req, _reply, done) => {
    if (!closing) return done();
    done(
      new ApiError('SHUTTING_DOWN', 'This server is shutting down; retry the request.', {
        headers: { 'retry-after': '1', connection: 'close' },
      }),
    );
  });
}
