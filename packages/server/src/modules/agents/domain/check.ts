import type { Config } from '../../../config.ts';
import { FETCH_DEADLINE_MS, FETCH_MAX_BODY_BYTES, NetError, createDnsClient, safeFetch } from '../../../net/index.ts';
import type { Connector, ConnectorOptions, DnsClient, NetErrorCode, SafeFetchOptions } from '../../../net/index.ts';
import { DOMAIN_METHODS, META_TAG_NAME, TXT_RECORD_PREFIX, WELL_KNOWN_PATH, txtNameUnavailable } from './challenge.ts';
import type { DomainMethod } from './challenge.ts';
import { metaContents } from './meta.ts';

/** Codes of failures that are not network errors. */
export type CheckFailureCode =
  'TXT_RECORD_MISSING' | 'META_TAG_MISSING' | 'TOKEN_MISMATCH' | 'HTTP_STATUS' | 'REDIRECT_OFF_DOMAIN' | 'CHECK_FAILED';

/** Why one method did not prove the domain: a stable code and one sentence. */
export interface MethodFailure {
  code: NetErrorCode | CheckFailureCode;
  error: string;
}

export type CheckOutcome =
  { verified: true; method: DomainMethod } | { verified: false; errors: Partial<Record<DomainMethod, MethodFailure>> };

/** Test seams and limits of the checks; production uses the defaults. */
export interface DomainCheckOptions {
  /** Replaces the DNS client made from `VOUCH_DNS_SERVERS`. */
  dns?: DnsClient;
  /** Opens the fetches' connections (tests record it, to prove refused targets never reach it). */
  connect?: Connector;
  /** Trusted CAs for the default connector (tests: a throwaway CA). */
  ca?: ConnectorOptions['ca'];
  /** Deadline of each check; default 5 s. */
  deadlineMs?: number;
}

export interface DomainChecker {
  /**
   * Tries DNS TXT first, then the meta tag and the file (together). With `first` (a re-check: the method that last
   * found the token), that method alone first, then the two others together: a proof that stays where it is costs
   * its owner one lookup, and one moved to another method is still found. Within a round, a method earlier in
   * {@link DOMAIN_METHODS} wins when several hold the token. At most two rounds, each within the deadline.
   */
  check(
    domain: string,
    token: string,
    onUnexpected?: (err: unknown) => void,
    first?: DomainMethod,
  ): Promise<CheckOutcome>;
}

/**
 * The three checks, on the network settings of `config` (DNS servers, insecure mode, public test addresses).
 * `domain` must already be canonical ({@link normalizeDomain}).
 */
export function createDomainChecker(config: Config, options: DomainCheckOptions = {}): DomainChecker {
  const dns = options.dns ?? createDnsClient({ servers: config.dnsServers, timeoutMs: config.dnsTimeoutMs });
  const deadlineMs = options.deadlineMs ?? FETCH_DEADLINE_MS;
  const fetchOptions: SafeFetchOptions = {
    dns,
    connect: options.connect,
    ca: options.ca,
    insecure: config.domainVerifyInsecure,
    publicTestAddresses: config.domainVerifyPublicTestAddresses,
    deadlineMs,
  };

  const dnsTxt = async (domain: string, token: string): Promise<MethodFailure | null> => {
    const name = `${TXT_RECORD_PREFIX}${domain}`;
    // The resolver would refuse the name (EBADNAME); say why instead, and send nothing.
    const unavailable = txtNameUnavailable(domain);
    if (unavailable !== null) return { code: 'DNS_FAILED', error: unavailable };
    const records = await dns.resolveTxt(name, AbortSignal.timeout(deadlineMs));
    if (records.length === 0) return { code: 'TXT_RECORD_MISSING', error: `There is no TXT record at ${name}.` };
    if (records.some((r) => r.trim() === token)) return null;
    return { code: 'TOKEN_MISMATCH', error: `No TXT record at ${name} holds the challenge token.` };
  };

  const web = async (
    domain: string,
    url: string,
    accept: string,
    holds: (text: string) => MethodFailure | null,
  ): Promise<MethodFailure | null> => {
    // A redirect may move within the domain (example.com → www.example.com), never off it: an open redirect
    // elsewhere must not let someone else's page prove this domain. Every hop, not only the last: a chain that
    // leaves and comes back lets the site off the domain choose which of its pages (an upload) proves it. Refused
    // before it is followed: the domain's owner cannot send the check's requests to other hosts, and is told the
    // redirect left the domain rather than how the host it pointed to failed.
    const onDomain = (next: URL) => {
      const host = next.hostname.replace(/\.$/, '');
      return host === domain || host.endsWith(`.${domain}`);
    };
    const res = await safeFetch(url, { ...fetchOptions, accept, followRedirect: onDomain });
    if (res.refusedRedirect !== undefined) {
      return { code: 'REDIRECT_OFF_DOMAIN', error: `${url} redirected away from ${domain}.` };
    }
    if (res.status !== 200) return { code: 'HTTP_STATUS', error: `${res.url} answered HTTP ${res.status}, not 200.` };
    const failure = holds(res.body.toString('utf8'));
    // A page cut at the fetch's cap may hold the token further on (a head after 64 KiB of inline CSS): say so, rather
    // than that the page has no tag, which its owner can see is untrue.
    if (failure === null || !res.truncated) return failure;
    return {
      ...failure,
      error: `${failure.error.replace(/\.$/, '')}; only the first ${FETCH_MAX_BODY_BYTES} bytes of the response are read.`,
    };
  };

  const metaTag = (domain: string, token: string) =>
    web(domain, `https://${domain}/`, 'text/html', (html) => {
      const values = metaContents(html, META_TAG_NAME);
      if (values.length === 0) {
        return {
          code: 'META_TAG_MISSING',
          error: `https://${domain}/ has no <meta name="${META_TAG_NAME}"> in its head.`,
        };
      }
      if (values.includes(token)) return null;
      return { code: 'TOKEN_MISMATCH', error: `The ${META_TAG_NAME} meta tag does not hold the challenge token.` };
    });

  const file = (domain: string, token: string) =>
    web(domain, `https://${domain}${WELL_KNOWN_PATH}`, 'text/plain', (text) =>
      text.trim() === token
        ? null
        : { code: 'TOKEN_MISMATCH', error: `${WELL_KNOWN_PATH} does not contain exactly the challenge token.` },
    );

  return {
    async check(domain, token, onUnexpected, first = 'dns_txt') {
      const attempt = async (run: () => Promise<MethodFailure | null>): Promise<MethodFailure | null> => {
        try {
          return await run();
        } catch (err) {
          // Network errors become that method's failure instead of failing the request.
          if (err instanceof NetError) return { code: err.code, error: err.message };
          onUnexpected?.(err);
          return { code: 'CHECK_FAILED', error: 'The check failed unexpectedly.' };
        }
      };
      const run: Record<DomainMethod, () => Promise<MethodFailure | null>> = {
        dns_txt: () => dnsTxt(domain, token),
        meta_tag: () => metaTag(domain, token),
        file: () => file(domain, token),
      };
      const errors: Partial<Record<DomainMethod, MethodFailure>> = {};
      for (const round of [[first], DOMAIN_METHODS.filter((m) => m !== first)]) {
        const failures = await Promise.all(round.map((m) => attempt(run[m])));
        const found = round.find((_, i) => failures[i] === null);
        if (found !== undefined) return { verified: true, method: found };
        round.forEach((m, i) => (errors[m] = failures[i]!));
      }
      return { verified: false, errors };
    },
  };
}
