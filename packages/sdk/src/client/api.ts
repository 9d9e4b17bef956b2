import { VouchError } from '../errors.ts';
import type { CallOptions, HttpRequest, HttpTransport, Route } from './http.ts';

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
    return (await this.http.call<T>(route, request, options)).body;
  }
}
