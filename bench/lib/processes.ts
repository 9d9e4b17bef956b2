// Child processes for the HTTP benches: CPU pinning and a server that announces itself with one JSON line.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** `taskset -c <core>` when there are two cores to separate, otherwise run unpinned. */
export function pinned(core: number): string[] {
  const ok = cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return ok ? ['taskset', '-c', String(core)] : [];
}

/**
 * Starts `node --import tsx <script> ...args` pinned to core 0 and resolves with the first stdout line that starts
 * with `marker` (parsed as JSON). The child is pushed onto `children` so the caller can kill it when done.
 */
export function spawnAnnouncing<T>(
  script: string,
  args: string[],
  marker: string,
  options: { cwd: string; children: ChildProcessWithoutNullStreams[] },
): Promise<{ info: T; child: ChildProcessWithoutNullStreams }> {
  const cmd = [...pinned(0), process.execPath, '--import', 'tsx', script, ...args];
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  options.children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith(marker));
      if (line) resolve({ info: JSON.parse(line) as T, child });
    });
    child.once('exit', (code) => reject(new Error(`bench server exited (${code}): ${err.slice(0, 2000)}`)));
  });
}

/** A process's resident set size in MiB, read from /proc (Linux); undefined elsewhere or once it has exited. */
export function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** Stops the children (SIGTERM, SIGKILL after 5 s) and waits until each has exited. */
export async function stopChildren(children: ChildProcessWithoutNullStreams[]): Promise<void> {
  await Promise.all(
    children.splice(0).map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
          setTimeout(() => c.kill('SIGKILL'), 5000).unref();
        }),
    ),
  );
}

/** A process's CPU time (user + system) in ms, from /proc (Linux); undefined elsewhere or once it has exited. */
export function cpuMs(pid: number | undefined): number | undefined {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * The CPU time in ms of a process's main thread alone (for Node: the event loop and the JavaScript on it, without
 * libuv's threadpool or V8's helper threads), from /proc (Linux); undefined elsewhere or once it has exited.
 */
export function mainThreadCpuMs(pid: number | undefined): number | undefined {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuMs(path: string): number | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return undefined;
  }
}
