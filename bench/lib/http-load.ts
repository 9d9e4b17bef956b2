// Load generator for the HTTP benches, run as a child process (pinned to its own core with taskset when there are
// two): runs autocannon with the plan in <planFile> and prints the result as one JSON line.
//   plan: {url, method, connections, duration?, amount?, paths?: string[], bodies?: string[], offset?: number}
//   `paths` and `bodies` are cycled through, one per request, from index `offset` (default 0); `sent` in the result
//   is how many were handed out, so that a next run can go on where this one stopped.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** The part of autocannon's API used here (the package ships no types). */
interface AutocannonResult {
  requests: { total: number };
  duration: number;
  latency: { mean: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface Plan {
  url: string;
  method: 'GET' | 'POST';
  connections: number;
  duration?: number;
  amount?: number;
  paths?: string[];
  bodies?: string[];
  offset?: number;
}

const plan = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as Plan;
let next = 0;
const result = await autocannon({
  url: plan.url,
  method: plan.method,
  connections: plan.connections,
  ...(plan.amount !== undefined ? { amount: plan.amount } : { duration: plan.duration }),
  headers: { 'content-type': 'application/json' },
  requests: [
    {
      setupRequest: (req: Record<string, unknown>) => {
        const i = (plan.offset ?? 0) + next++;
        if (plan.paths) return { ...req, path: plan.paths[i % plan.paths.length] };
        if (plan.bodies) return { ...req, body: plan.bodies[i % plan.bodies.length] };
        return req;
      },
    },
  ],
});
console.log(
  JSON.stringify({
    requests: result.requests.total,
    seconds: result.duration,
    latencyMeanMs: result.latency.mean,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    sent: next,
  }),
);
