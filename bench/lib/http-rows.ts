// HTTP rows measured with the shared load generator (http-load.ts, pinned to core 1) against server child processes,
// with the server's CPU per request read from /proc around each run (the whole process and the event loop alone)
// and, for a Vouch server, its signature cache's lookups read from /metrics. Used by the tokens and capabilities
// suites, whose distinct-token rows must never present a token to a server again before every other one.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './measure.ts';
import type { Measurement, MeasureOptions } from './measure.ts';
import { cpuMs, mainThreadCpuMs, pinned } from './processes.ts';
import { reportNote } from './report.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

export interface HttpRowsOptions {
  /** Connections the load generator keeps open. */
  connections: number;
  /** The request bodies a file holds, in cycle order (read once per file). */
  bodiesOf: (file: string) => Promise<string[]>;
  /** The Vouch signature cache's metric prefix, e.g. `vouch_token_signature_cache`. */
  cacheMetric: string;
  /** The row every note compares CPU per request with. */
  bare: string;
}

export interface HttpRows {
  /**
   * One HTTP case: warm up (before its first round only), then one run of the load generator, reading the server's
   * CPU (and, with `metricsUrl`, its signature cache counters) around it. Each run goes on along the file's cycle
   * where the last run against the same server process (of any row) stopped, so that a body comes back to a process
   * only after it has been sent every other body of the file.
   */
  httpCase(
    name: string,
    url: string,
    file: string,
    pid: number | undefined,
    metricsUrl?: string,
  ): (o: MeasureOptions) => Promise<Measurement>;
  /**
   * Notes each row's CPU per request, round by round, with its median, the event loop's median, its ratio to the bare
   * row's and its cache lookups; once, after every round of every HTTP row (rounds alternate direction).
   */
  noteCpuPerRequest(): void;
}

interface LoadResult {
  requests: number;
  seconds: number;
  latencyMeanMs: number;
  non2xx: number;
  errors: number;
  sent: number;
}

/** A load generator run (http-load.ts's answer) as a measurement: requests per second with `connections` in flight. */
export function loadMeasurement(
  r: { requests: number; seconds: number; latencyMeanMs: number },
  connections: number,
): Measurement {
  return {
    ops: r.requests,
    seconds: r.seconds,
    opsPerSec: r.requests / r.seconds,
    meanLatencyUs: r.latencyMeanMs * 1000,
    async: true,
    concurrency: connections,
  };
}

export function httpRows(options: HttpRowsOptions): HttpRows {
  const offsets = new Map<string, number>();
  const bodies = new Map<string, Promise<string[]>>();
  // Server CPU µs per request of each row, round by round: steal time on a shared VM skews throughput more than the
  // CPU a process is charged for. The event loop's share too: the threadpool's signature checks cost the same on
  // every row, so the rows differ by what runs on the event loop.
  const cpuPerRequest = new Map<string, number[]>();
  const loopCpuPerRequest = new Map<string, number[]>();
  const cacheLookups = new Map<string, { hit: number; miss: number }>();

  async function load(url: string, file: string, seconds: number, pid: number | undefined): Promise<LoadResult> {
    let all = bodies.get(file);
    if (all === undefined) bodies.set(file, (all = options.bodiesOf(file)));
    const list = await all;
    const cycle = `${file} ${pid}`;
    const offset = offsets.get(cycle) ?? 0;
    const planFile = `${file}.plan.json`;
    const plan = { url, method: 'POST', connections: options.connections, duration: seconds, bodies: list, offset };
    await writeFile(planFile, JSON.stringify(plan));
    const cmd = [...pinned(1), process.execPath, '--import', 'tsx', join(here, 'http-load.ts'), planFile];
    const res = spawnSync(cmd[0]!, cmd.slice(1), { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    if (res.status !== 0) throw new Error(`load generator failed: ${res.stderr}`);
    const result = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as LoadResult;
    offsets.set(cycle, (offset + result.sent) % list.length);
    return result;
  }

  async function counters(metricsUrl: string): Promise<{ hit: number; miss: number }> {
    const text = await (await fetch(metricsUrl)).text();
    const read = (result: string) =>
      Number(new RegExp(`^${options.cacheMetric}_lookups_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    return { hit: read('hit'), miss: read('miss') };
  }

  /** The counters once they stop moving: the server may still be answering what the last load generator sent. */
  async function settledCounters(metricsUrl: string): Promise<{ hit: number; miss: number }> {
    let last = await counters(metricsUrl);
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = await counters(metricsUrl);
      if (now.hit === last.hit && now.miss === last.miss) return now;
      last = now;
    }
    return last;
  }

  return {
    httpCase(name, url, file, pid, metricsUrl) {
      return async (o) => {
        const seconds = Math.max(3, Math.round((2 * (o.durationMs ?? 1500)) / 1000));
        // A full warm-up before the first round; later rounds (suite.ts gives them ≤ 100 ms) find the server warm.
        if ((o.warmupMs ?? 300) >= 300) await load(url, file, 1, pid);
        const countersBefore = metricsUrl === undefined ? undefined : await settledCounters(metricsUrl);
        const before = cpuMs(pid);
        const loopBefore = mainThreadCpuMs(pid);
        const r = await load(url, file, seconds, pid);
        const after = cpuMs(pid);
        const loopAfter = mainThreadCpuMs(pid);
        if (countersBefore !== undefined) {
          const now = await counters(metricsUrl!);
          const sum = cacheLookups.get(name) ?? { hit: 0, miss: 0 };
          cacheLookups.set(name, {
            hit: sum.hit + now.hit - countersBefore.hit,
            miss: sum.miss + now.miss - countersBefore.miss,
          });
        }
        if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
        if (before !== undefined && after !== undefined && r.requests > 0) {
          const rounds = cpuPerRequest.get(name) ?? [];
          cpuPerRequest.set(name, rounds);
          rounds.push(((after - before) * 1000) / r.requests);
          const loopRounds = loopCpuPerRequest.get(name) ?? [];
          loopCpuPerRequest.set(name, loopRounds);
          if (loopBefore !== undefined && loopAfter !== undefined)
            loopRounds.push(((loopAfter - loopBefore) * 1000) / r.requests);
        }
        return loadMeasurement(r, options.connections);
      };
    },

    noteCpuPerRequest() {
      const bare = cpuPerRequest.get(options.bare);
      for (const [name, rounds] of cpuPerRequest) {
        const loopRounds = loopCpuPerRequest.get(name) ?? [];
        const loop = loopRounds.length === rounds.length ? `, event loop ${median(loopRounds).toFixed(0)} µs` : '';
        const lookups = cacheLookups.get(name);
        const cache = lookups === undefined ? '' : `; signature cache ${lookups.hit} hits, ${lookups.miss} misses`;
        const vsBare =
          name !== options.bare && bare !== undefined
            ? `; bare route / this = ${(median(bare) / median(rounds)).toFixed(2)}×`
            : '';
        reportNote(
          `${name}: server CPU per request, round by round: ${rounds.map((x) => x.toFixed(0)).join(', ')} µs ` +
            `(median ${median(rounds).toFixed(0)} µs${loop}${vsBare}${cache})`,
        );
      }
      cpuPerRequest.clear();
      loopCpuPerRequest.clear();
      cacheLookups.clear();
    },
  };
}
