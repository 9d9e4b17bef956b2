import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openStorage } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { makeApp } from './app.ts';
import type { TestApp } from './app.ts';

/** An answer read off a raw socket: the bytes, the status, the headers (names lower-cased) and the body. */
export interface RawAnswer {
  raw: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Splits the first answer in `raw` into its status, headers and what follows its head. */
export function parseRawAnswer(raw: string): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no complete response head in ${JSON.stringify(raw)}`);
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { raw, status: Number(statusLine!.split(' ')[1]), headers, body: raw.slice(end + 4) };
}

/**
 * Sends raw bytes on a fresh loopback connection to `port` and reads everything until the server closes it: for
 * requests a client library will not send (a malformed head, a `*` target, CONNECT). The bytes should end the
 * exchange (`Connection: close`, or a request the server answers by closing).
 */
export function sendRawAnswer(port: number, bytes: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    // A reset after the answer still leaves the answer: what was read is what the client saw.
    socket.on('error', () => {});
    // No answer head is the caller's failure, not an uncaught exception in this handler.
    socket.on('close', () => {
      try {
        resolve(parseRawAnswer(Buffer.concat(chunks).toString('latin1')));
      } catch (err) {
        reject(err as Error);
      }
    });
    socket.write(bytes);
  });
}

/**
 * For a test file that talks raw HTTP: a maker of apps (with `env`), each listening on a loopback port, on one SQLite
 * storage in a temporary folder opened at the first call; registers the hook that closes them all and removes the
 * folder after the file's tests.
 */
export function listeningApps(prefix: string): (env?: Record<string, string>) => Promise<ListeningApp> {
  let opened: Promise<{ dataDir: string; storage: Storage }> | undefined;
  const apps: TestApp[] = [];
  after(async () => {
    for (const a of apps) await a.app.close();
    if (opened === undefined) return;
    const { dataDir, storage } = await opened;
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return async (env = {}) => {
    opened ??= mkdtemp(join(tmpdir(), prefix)).then(async (dataDir) => ({
      dataDir,
      storage: await openStorage({ dataDir }),
    }));
    const vouch = await makeApp((await opened).storage, { env });
    apps.push(vouch);
    await vouch.app.listen({ host: '127.0.0.1', port: 0 });
    return { vouch, port: (vouch.app.server.address() as AddressInfo).port };
  };
}

/** An app of {@link listeningApps} and its loopback port. */
export interface ListeningApp {
  vouch: TestApp;
  port: number;
}
