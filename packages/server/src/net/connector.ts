import { connect as netConnect, isIP } from 'node:net';
import type { Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect } from 'node:tls';
import type { SecureContextOptions } from 'node:tls';

/** Where a vetted connection goes: an address that has already passed the address checks, never a name. */
export interface ConnectTarget {
  /** The checked IP address to connect to. */
  address: string;
  family: 4 | 6;
  port: number;
  /** The URL's host name (no brackets): the TLS server name (SNI) and the name the certificate must match. */
  hostname: string;
  /** Whether to speak TLS (https). */
  tls: boolean;
}

/**
 * Opens the TCP (and TLS) connection for one request. The fetcher calls it only with targets that passed every
 * check, so tests inject a recording connector to prove that refused targets never reach it.
 */
export type Connector = (target: ConnectTarget) => Socket;

export interface ConnectorOptions {
  /** Trusted CA certificates (PEM). When given they REPLACE Node's bundled roots; absent: the bundled roots. */
  ca?: SecureContextOptions['ca'];
}

/**
 * The default connector: `net.connect` / `tls.connect` to the checked address, with the original host name as SNI
 * and as the name the certificate is verified against (`rejectUnauthorized` always on). No proxy, no agent.
 *
 * @example
 * const connect = createConnector({ ca: testCaPem });
 * const socket = connect({ address: '127.0.0.2', family: 4, port: 443, hostname: 'site.test', tls: true });
 */
export function createConnector(options: ConnectorOptions = {}): Connector {
  return (target) => {
    if (isIP(target.address) === 0) throw new Error('The connector takes an IP address, never a name.');
    if (!target.tls) return netConnect({ host: target.address, port: target.port, family: target.family });
    const nameIsIp = isIP(target.hostname) !== 0;
    return tlsConnect({
      host: target.address,
      port: target.port,
      // SNI carries names only (RFC 6066); an IP-literal URL is verified against the certificate's IP SANs.
      servername: nameIsIp ? undefined : target.hostname,
      ca: options.ca,
      rejectUnauthorized: true,
      ALPNProtocols: ['http/1.1'],
      checkServerIdentity: (_host, cert) => checkServerIdentity(target.hostname, cert),
    });
  };
}
