import { VouchError } from '../errors.ts';
import { HttpTransport } from './http.ts';
import type { Credentials, HttpOptions } from './http.ts';
import { AgentsApi, OwnersApi } from './agents.ts';
import { CapabilitiesApi } from './capabilities.ts';
import { IdentityApi } from './identity.ts';
import { RegistryApi } from './registry.ts';
import { ServerApi } from './server.ts';
import { IntegratorsApi, SignaturesApi } from './signatures.ts';
import { TokensApi } from './tokens.ts';

export type VouchClientOptions = HttpOptions;

/**
 * A typed client for a Vouch server: one method per endpoint, grouped by module. Runs on Node and in browsers
 * (global `fetch`, WebCrypto for agent-signed requests). Failures throw `VouchApiError` carrying the server's `code`;
 * idempotent calls are retried with backoff on network errors, timeouts, 429 (honouring `Retry-After`), 502, 503
 * and 504; every attempt has a timeout (`timeoutMs`, default 10 s).
 *
 * @example
 * ```ts
 * const client = new VouchClient({ baseUrl: 'https://vouch.example', credentials: { adminKey } });
 * const owner = await client.owners.create({ name: 'Acme', handle: 'acme' });
 * await client.tokens.verify({ token }); // { valid: true, claims } or { valid: false, code, error }
 * ```
 */
export class VouchClient {
  readonly http: HttpTransport;
  readonly server: ServerApi;
  readonly agents: AgentsApi;
  readonly owners: OwnersApi;
  readonly identity: IdentityApi;
  readonly tokens: TokensApi;
  readonly registry: RegistryApi;
  readonly signatures: SignaturesApi;
  readonly integrators: IntegratorsApi;
  readonly capabilities: CapabilitiesApi;
  /** An ES private field: the options hold the credentials, which printing a client must never show. */
  readonly #options: VouchClientOptions;

  constructor(options: VouchClientOptions) {
    // Required: a missing one (a JavaScript caller, settings read from JSON) is named, not a raw TypeError.
    if (typeof options !== 'object' || options === null) {
      throw new VouchError('INVALID_ARGUMENT', 'VouchClient needs options with a baseUrl.');
    }
    this.#options = { ...options, credentials: { ...options.credentials } };
    this.http = new HttpTransport(options);
    this.server = new ServerApi(this.http);
    this.agents = new AgentsApi(this.http);
    this.owners = new OwnersApi(this.http);
    this.identity = new IdentityApi(this.http);
    this.tokens = new TokensApi(this.http);
    this.registry = new RegistryApi(this.http);
    this.signatures = new SignaturesApi(this.http);
    this.integrators = new IntegratorsApi(this.http);
    this.capabilities = new CapabilitiesApi(this.http);
  }

  /**
   * A client for the same server with more (or other) credentials, e.g. an agent's key for signed requests.
   *
   * @example
   * ```ts
   * const asAgent = client.withCredentials({ agent: { did, privateKey } });
   * ```
   */
  withCredentials(credentials: Credentials): VouchClient {
    return new VouchClient({ ...this.#options, credentials: { ...this.#options.credentials, ...credentials } });
  }

  /** The server's base URL, without a trailing slash. */
  get baseUrl(): string {
    return this.http.baseUrl;
  }
}
