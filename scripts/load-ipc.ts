// The driver of `npm run load` (scripts/load.ts) asking its server process for its memory over IPC.
import type { ChildProcess } from 'node:child_process';

/** The server's RSS, after a forced GC for 'gc'. Rejects if the server exits before answering. */
export function ask(server: ChildProcess, type: 'rss' | 'gc'): Promise<number> {
  return new Promise((resolve, reject) => {
    const done = () => {
      server.off('message', on);
      server.off('exit', exited);
    };
    const on = (m: { type: string; rss: number }) => {
      if (m.type !== type) return;
      done();
      resolve(m.rss);
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
