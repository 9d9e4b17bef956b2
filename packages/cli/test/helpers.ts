import { spawn } from 'node:child_process';
import { main } from '../src/main.ts';
import type { Io } from '../src/output.ts';

/** Runs the CLI in process and captures what it prints. */
export async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => void (out += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => void (err += t.endsWith('\n') ? t : `${t}\n`),
  };
  const code = await main(['node', 'vouch', ...args], io);
  return { code, out, err };
}

export const BIN = new URL('../bin/vouch.js', import.meta.url).pathname;

/** Runs the real `vouch` binary as a child process (no standard input). */
export function spawnVouch(args: string[], env: Record<string, string>, cwd: string) {
  return spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
