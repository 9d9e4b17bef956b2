import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import type { Authenticators } from './http/policy.ts';

/**
 * One domain module of the server (`src/modules/<name>/`): the authenticators it provides for other routes
 * (e.g. owner keys, management tokens) and its routes, each with its policy. Modules talk to each other only
 * through each other's exported service functions, never through each other's tables.
 */
export interface VouchModule {
  name: string;
  /** Authenticators this module contributes, keyed by caller kind; installed before any route registers. */
  authenticators?(ctx: AppContext): Authenticators;
  routes(app: FastifyInstance, ctx: AppContext): void | Promise<void>;
}
