// The driver of `npm run load` (scripts/load.ts) asking its server process for its memory over IPC.
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** The server's RSS, after a forced GC for 'gc'. Rejects if the server exits before answering or answers an error. */
export function ask(server: ChildProcess, type: 'rss' | 'gc'): Promise<number> {
  return new Promise((resolve, reject) => {
    const done = () => {
      server.off('message', on);
      server.off('exit', exited);
    };
    const on = (m: { type: string; rss: number; error?: string }) => {
      if (m.type !== type) return;
      done();
      if (m.error !== undefined) reject(new Error(`the server could not answer ${type}: ${m.error}`));
      else resolve(m.rss);
    };
    const exited = (code: number | null, signal: string | null) => {
      done();
      reject(new Error(`the server exited while asked for ${type} (${signal ?? code})`));
    };
    if (server.exitCode !== null || server.signalCode !== null) {
      exited(server.exitCode, server.signalCode);
      return;
    }
    server.on('message', on);
    server.on('exit', exited);
    server.send({ type });
  });
}

/**
 * Resolves once `stream` carries a line starting with `prefix` (the load generator's signal that its load begins);
 * rejects if the stream ends first.
 */
export function waitForLine(stream: Readable, prefix: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const done = () => {
      stream.off('data', data);
      stream.off('end', ended);
    };
    const data = (d: Buffer | string) => {
      buffered += d.toString();
      if (!buffered.split('\n').some((line, i, all) => i < all.length - 1 && line.startsWith(prefix))) return;
      done();
      resolve();
    };
    const ended = () => {
      done();
      reject(new Error(`the stream ended before a line starting with ${prefix}`));
    };
    stream.on('data', data);
    stream.on('end', ended);
  });
}
