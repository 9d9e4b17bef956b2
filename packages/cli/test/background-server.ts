// A shell command that starts a `vouch serve` and runs until stopped (the README's `npm start`), on a port chosen
// beforehand: the commands run after it reach the server through VOUCH_SERVER, and its public URL names the port, so
// it cannot listen on port 0 and report its port afterwards.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort, startOnFreePort } from '../../server/test/helpers/net.ts';

/** A server started by {@link startServing}: its process (the leader of its own process group) and its port. */
export interface BackgroundServer {
  child: ChildProcess;
  port: number;
  /** SIGTERM to the whole process group (npm start runs the server under npm and sh); resolved once it exited. */
  stop(): Promise<void>;
}

/**
 * Runs `text` with bash in its own process group and resolves once the server it starts logs that it listens. When
 * it exits before that, rejects; with `code` EADDRINUSE when what it printed says its port was taken.
 */
export async function startBackground(text: string, cwd: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn('bash', ['-c', text], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      log += d;
      if (log.includes('"msg":"vouch server listening"')) resolve();
    });
    child.once('close', (code) => {
      const err = new Error(`"${text}" exited early (${code}):\n${log}`);
      reject(/\bEADDRINUSE\b/.test(log) ? Object.assign(err, { code: 'EADDRINUSE' }) : err);
    });
  });
  return child;
}

/**
 * {@link startBackground} with the environment `envFor(port)` gives it for a port {@link freePort} handed out, and
 * again on another port when that one was taken between the probe and the server's listen (EADDRINUSE): another
 * process on the machine can bind it meanwhile, and the server opens its database and makes its keys before it
 * listens. `ports` and `attempts` are for this helper's own test.
 */
export function startServing(
  text: string,
  cwd: string,
  envFor: (port: number) => Record<string, string>,
  ports: () => Promise<number> = freePort,
  attempts = 5,
): Promise<BackgroundServer> {
  return startOnFreePort(
    async (port) => {
      const child = await startBackground(text, cwd, envFor(port));
      const stop = async (): Promise<void> => {
        if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
          process.kill(-child.pid, 'SIGTERM');
          await once(child, 'exit');
        }
      };
      return { child, port, stop };
    },
    ports,
    attempts,
  );
}
