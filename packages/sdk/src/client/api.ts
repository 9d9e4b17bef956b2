import { VouchError } from '../errors.ts';
import { expandPath } from './http.ts';
import type { CallOptions, HttpRequest, HttpResponse, HttpTransport, Route } from './http.ts';
import { VouchApiError } from './errors.ts';

/**
 * A method's required input object, or `INVALID_ARGUMENT` with `message` for null, undefined or a non-object (a
 * JavaScript caller, settings read from JSON): its members are read before anything is sent, as a raw TypeError.
 */
export function requiredInput<T>(input: T, message: string): T {
  if (typeof input !== 'object' || input === null) throw new VouchError('INVALID_ARGUMENT', message);
  return input;
}

/** Base of the client's endpoint groups: one call, its parsed body. */
export abstract class Api {
  protected readonly http: HttpTransport;

  constructor(http: HttpTransport) {
    this.http = http;
  }

  protected async send<T>(route: Route, request: HttpRequest, options: CallOptions | undefined): Promise<T> {
    return answerBody(route, request, await this.http.call<T>(route, request, options));
  }
}

/**
 * `res`'s body as the method's answer: every JSON route answers an object, so valid JSON of another type (null, an
 * array, a number, a string) is `RESPONSE_INVALID` with the status, never handed back typed as the answer for the
 * caller to read members of. A text route's body passes as it is (text, or JSON when labelled so).
 */
export function answerBody<T>(route: Route, request: HttpRequest, res: HttpResponse<T>): T {
  const body: unknown = res.body;
  if (route.text === true || (typeof body === 'object' && body !== null && !Array.isArray(body))) return res.body;
  // The path as sent (the call expanded it already), as the transport's own refusals name it.
  const path = expandPath(route.path, request.params);
  throw new VouchApiError('RESPONSE_INVALID', `${route.method} ${path} answered ${res.status} without a JSON object.`, {
    status: res.status,
    method: route.method,
    path,
  });
}
