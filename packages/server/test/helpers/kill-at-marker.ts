// A crash at a known point: a child process runs a script until it prints a marker and stops there for good, and is
// then killed with SIGKILL, as a power loss or an OOM kill would stop it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const SERVER_PACKAGE = new URL('../..', import.meta.url).pathname;

/**
 * Runs `script` (an ES module, from the server package, with tsx) until it has printed nothing but `marker` and a line
 * feed on its stdout (it must then block for good, e.g. with `Atomics.wait`), and kills it with SIGKILL. Fails when
 * the child prints anything else first or exits by itself.
 *
 * @example
 * await killAtMarker(`import { writeSync } from 'node:fs'; writeSync(1, 'here\\n'); Atomics.wait(...)`, 'here');
 */
export async function killAtMarker(script: string, marker: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: SERVER_PACKAGE,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_, signal) => resolve(signal)));
  while (!out.includes(marker) && child.exitCode === null && child.signalCode === null) {
    await Promise.race([new Promise((resolve) => child.stdout.once('data', resolve)), exited]);
  }
  assert.equal(out, `${marker}\n`);
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
}
