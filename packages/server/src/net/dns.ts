import { Resolver } from 'node:dns/promises';
import { isIP, isIPv6 } from 'node:net';
import { NetError } from './errors.ts';

/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface DnsClientOptions {
  /**
   * DNS servers as `node:dns` `setServers` takes them (`1.1.1.1`, `1.1.1.1:53`, `::1`, `[::1]:53`); empty or
   * absent means the system's servers (`/etc/resolv.conf`). See {@link parseDnsServers}.
   */
  servers?: readonly string[];
  /** Milliseconds before one query attempt times out (c-ares `timeout`); default 2000. */
  timeoutMs?: number;
  /** Attempts per server (c-ares `tries`); default 2. */
  tries?: number;
}

/** Queries the configured DNS servers directly (c-ares, not `getaddrinfo`): `/etc/hosts` is not consulted. */
export interface DnsClient {
  /** Every TXT record at `name`, each with its character-strings joined; `[]` when there is none. */
  resolveTxt(name: string, signal?: AbortSignal): Promise<string[]>;
  /** Every A and AAAA address of `name`, IPv4 first; `[]` when there is none. */
  resolveAddresses(name: string, signal?: AbortSignal): Promise<ResolvedAddress[]>;
}

/** DNS answers that mean "no such record" rather than a failure. */
const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND', 'NOTFOUND', 'NODATA']);

/**
 * Makes a DNS client on the given servers. Each lookup gets its own resolver, so aborting one (deadline) cancels
 * only its own queries.
 *
 * @example
 * const dns = createDnsClient({ servers: ['127.0.0.1:5353'] });
 * const txt = await dns.resolveTxt('_vouch-verify.example.com'); // ['3f1c...']
 */
export function createDnsClient(options: DnsClientOptions = {}): DnsClient {
  const servers = [...(options.servers ?? [])];
  const resolverOptions = { timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 };
  const withResolver = async <T>(
    name: string,
    signal: AbortSignal | undefined,
    run: (r: Resolver) => Promise<T>,
  ): Promise<T> => {
    if (signal?.aborted) throw deadline(name);
    const resolver = new Resolver(resolverOptions);
    if (servers.length > 0) resolver.setServers(servers);
    const cancel = () => resolver.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await run(resolver);
    } catch (err) {
      if (signal?.aborted) throw deadline(name);
      throw err;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  };
  const query = async <T>(name: string, signal: AbortSignal | undefined, run: (r: Resolver) => Promise<T[]>) => {
    try {
      return await withResolver(name, signal, run);
    } catch (err) {
      if (err instanceof NetError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? 'UNKNOWN';
      if (NO_RECORD.has(code)) return [] as T[];
      throw new NetError('DNS_FAILED', `The DNS lookup of ${name} failed (${code}).`, { cause: err });
    }
  };
  return {
    async resolveTxt(name, signal) {
      const records = await query(name, signal, (r) => r.resolveTxt(name));
      return records.map((chunks) => chunks.join(''));
    },
    async resolveAddresses(name, signal) {
      // Both families are asked; one failing is tolerated when the other answers.
      const [a, aaaa] = await Promise.allSettled([
        query(name, signal, (r) => r.resolve4(name)),
        query(name, signal, (r) => r.resolve6(name)),
      ]);
      if (a.status === 'rejected' && (aaaa.status === 'rejected' || aaaa.value.length === 0)) throw a.reason;
      if (aaaa.status === 'rejected' && (a.status === 'rejected' || a.value.length === 0)) throw aaaa.reason;
      const out: ResolvedAddress[] = [];
      if (a.status === 'fulfilled') for (const address of a.value) out.push({ address, family: 4 });
      if (aaaa.status === 'fulfilled') for (const address of aaaa.value) out.push({ address, family: 6 });
      return out;
    },
  };
}

function deadline(name: string): NetError {
  return new NetError('DEADLINE_EXCEEDED', `The DNS lookup of ${name} ran past its deadline.`);
}

/**
 * Parses `VOUCH_DNS_SERVERS`: a comma-separated list of `ip` or `ip:port` (IPv6 with a port as `[ip]:port`).
 * Returns the entries in the form `Resolver#setServers` takes; throws an `Error` naming the bad entry.
 *
 * @example
 * parseDnsServers('127.0.0.1:5353, [::1]:53, 1.1.1.1'); // ['127.0.0.1:5353', '[::1]:53', '1.1.1.1']
 */
export function parseDnsServers(raw: string): string[] {
  const out: string[] = [];
  for (const entry of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    let host = entry;
    let port: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      host = bracketed[1]!;
      port = bracketed[2];
      if (!isIPv6(host)) throw new Error(`"${entry}" is not an IPv6 address in brackets.`);
    } else if (!isIP(entry)) {
      const m = /^([^:]+):(\d+)$/.exec(entry);
      if (!m) throw new Error(`"${entry}" is not an IP address or ip:port.`);
      host = m[1]!;
      port = m[2];
    }
    if (isIP(host) === 0 || host.includes('%')) throw new Error(`"${entry}" is not an IP address or ip:port.`);
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
      throw new Error(`"${entry}" has a port outside 1-65535.`);
    }
    if (port === undefined) out.push(host);
    else out.push(`${isIPv6(host) ? `[${host}]` : host}:${Number(port)}`);
  }
  return out;
}
