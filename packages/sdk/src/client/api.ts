import type { CallOptions, HttpRequest, HttpTransport, Route } from './http.ts';

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
