export { VouchClient } from './client.ts';
export type { VouchClientOptions } from './client.ts';
export { VouchApiError } from './errors.ts';
export type { ApiErrorCode } from './errors.ts';
export { HttpTransport, parseRetryAfter } from './http.ts';
export type {
  HttpFetch,
  CredentialKind,
  AgentCredential,
  Credentials,
  RetryOptions,
  Route,
  CallOptions,
  HttpOptions,
  HttpRequest,
  HttpResponse,
} from './http.ts';
export { ROUTES, NOT_IN_CLIENT } from './routes.ts';
export type { RouteName } from './routes.ts';
export { signedRequestString, signRequestHeaders, SIGNED_REQUEST_VERSION } from './signed-request.ts';
export type * from './types.ts';
