import type { Config } from './config.ts';
import type { Clock } from './clock.ts';
import type { Storage } from './storage/index.ts';
import type { Metrics } from './http/metrics.ts';

/** What every module's routes and services get: configuration, storage, the key-encryption key and the clock. */
export interface AppContext {
  config: Config;
  storage: Storage;
  /** Key-encryption key for server private keys. Never logged. */
  kek: Buffer;
  clock: Clock;
  metrics: Metrics;
}
