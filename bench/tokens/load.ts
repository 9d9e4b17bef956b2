// Child process of tokens.bench.ts (pinned to its own core with taskset): autocannon against one URL, each request
// carrying the next of the prepared tokens as {"token": ...}. Prints the result as one JSON line.
//   load.ts <url> <tokensFile> <durationSeconds> <connections>
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

const [url, tokensFile, seconds, connections] = process.argv.slice(2);
const { tokens } = JSON.parse(await readFile(tokensFile!, 'utf8')) as { tokens: string[] };
let next = 0;
const result = await autocannon({
  url: url!,
  method: 'POST',
  connections: Number(connections),
  duration: Number(seconds),
  headers: { 'content-type': 'application/json' },
  requests: [
    {
      setupRequest: (req: Record<string, unknown>) => ({
        ...req,
        body: JSON.stringify({ token: tokens[next++ % tokens.length] }),
      }),
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
  }),
);
