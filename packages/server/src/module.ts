import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from './context.ts';
import type { ErrorBody } from './errors.ts';
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
  /**
   * For a module that serves HTML pages: answers a request whose address the router could not read (malformed
   * percent-encoding, a path that is not UTF-8, a parameter too long) with its own 400 page when the path is one of
   * its pages', and returns true; false leaves the API's JSON `error` (status and headers are already set). Asked
   * only for a browser's GET or HEAD of a path outside the API (web/error-pages.ts `wantsErrorPage`), module by
   * module in registration order: the first that claims the path answers.
   */
  badAddressPage?(ctx: AppContext): BadAddressPage;
  /**
   * For a module that serves HTML pages: answers a request no route matched with its own 404 page when the path is
   * one of its pages', and returns true; false leaves the API's JSON `error` (status and headers are already set).
   * Asked as {@link VouchModule.badAddressPage} is, for the same requests only.
   */
  notFoundPage?(ctx: AppContext): NotFoundPage;
}

/** See {@link VouchModule.badAddressPage}: `error` is the body the API would answer, whose `code` the page shows. */
export type BadAddressPage = (req: FastifyRequest, reply: FastifyReply, error: ErrorBody) => boolean;

/** See {@link VouchModule.notFoundPage}: `error` is the body the API would answer, whose `code` the page shows. */
export type NotFoundPage = (req: FastifyRequest, reply: FastifyReply, error: ErrorBody) => boolean;
