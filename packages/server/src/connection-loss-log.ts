// Lost database connections, in the log: the pool replaces each one by itself, so a lost connection is not an
// error, but a stream of them (a failover, a flapping link, an operator terminating backends) is what an operator
// needs to see. A database restart drops every pooled connection at once: one line, then at most one every 10 s.
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import { logThrottle } from './log-throttle.ts';

export const CONNECTION_LOSS_LOG_EVERY_MS = 10_000;

/**
 * The `onConnectionLost` callback for `openStorage`: logs a warning with the cause (already free of the URL and
 * password), at most once per {@link CONNECTION_LOSS_LOG_EVERY_MS}, with the count of losses left unlogged.
 *
 * @example
 * const storage = await openStorage({ ...options, onConnectionLost: connectionLossLog(logger, clock) });
 */
export function connectionLossLog(logger: Logger, clock: Clock): (cause: string) => void {
  const take = logThrottle(CONNECTION_LOSS_LOG_EVERY_MS);
  return (cause) => {
    const suppressed = take(clock.now());
    if (suppressed !== undefined) {
      logger.warn({ cause, suppressed }, 'lost a database connection; the pool replaces it');
    }
  };
}
