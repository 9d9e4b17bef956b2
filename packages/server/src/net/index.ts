// Outbound network access: DNS lookups and SSRF-safe HTTPS fetches. Explicit export list; the rest is internal.
export { NetError, isNetError } from './errors.ts';
export type { NetErrorCode } from './errors.ts';
export { addressRefusal, canonicalAddress, isLoopbackAddress } from './address.ts';
export type { AddressPolicy } from './address.ts';
export { createDnsClient, parseDnsServers } from './dns.ts';
export type { DnsClient, DnsClientOptions, ResolvedAddress } from './dns.ts';
export { createConnector } from './connector.ts';
export type { ConnectTarget, Connector, ConnectorOptions } from './connector.ts';
export { safeFetch, FETCH_DEADLINE_MS, FETCH_MAX_BODY_BYTES, FETCH_MAX_REDIRECTS } from './fetch.ts';
export type { SafeFetchOptions, SafeFetchResponse } from './fetch.ts';
