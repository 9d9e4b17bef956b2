// Child processes of ingest.bench.ts, each printing one Measurement as a JSON line:
//   http <infoFile> <port> <mode> <durationMs> <warmupMs>   the load client (pinned to core 1): POST
//        /api/v1/ingest batches (mode "ingest:<size>[:<inFlight>]", one at a time by default) or sequential resolves
//        (mode "resolve") against the server
//   raw <infoFile> <durationMs> <warmupMs> <batch>           the limit (pinned to core 0, like the server): the
//        recorded statements replayed through the driver, with fresh external ids each time
import { readFile } from 'node:fs/promises';
import { bodyMaker, closeLoad, post } from './load.ts';
import { rawReplayer } from './raw.ts';
import type { ServerInfo } from './server.ts';
import { timed } from './timed.ts';

const [kind, infoFile, ...rest] = process.argv.slice(2);
const info = JSON.parse(await readFile(infoFile!, 'utf8')) as ServerInfo;

if (kind === 'raw') {
  const [durationMs, warmupMs, batch] = rest.map(Number);
  const replayer = await rawReplayer(info, info.recorded, info.recordedPrefix);
  let k = 0;
  const m = await timed(durationMs!, warmupMs!, batch!, () => replayer.replay(`raw${++k}x${process.pid}-`));
  await replayer.close();
  console.log(JSON.stringify(m));
} else {
  const [port, mode, durationMs, warmupMs] = rest;
  const target = { url: `http://127.0.0.1:${port}`, apiKey: info.apiKey };
  if (mode!.startsWith('ingest:')) {
    const [size, inFlight] = mode!.slice('ingest:'.length).split(':').map(Number) as [number, number?];
    const nextBody = bodyMaker(info.engine, info.agents, size);
    const m = await timed(
      Number(durationMs),
      Number(warmupMs),
      size,
      async () => {
        const { status, json } = await post(`${target.url}/api/v1/ingest`, info.apiKey, nextBody());
        if (status !== 200 || (json as { count?: number }).count !== size) {
          throw new Error(`ingest answered ${status}: ${JSON.stringify(json).slice(0, 300)}`);
        }
      },
      inFlight ?? 1,
    );
    closeLoad();
    console.log(JSON.stringify(m));
  } else {
    const did = info.agents[0]!.did;
    const m = await timed(Number(durationMs), Number(warmupMs), 1, async () => {
      const res = await fetch(`${target.url}/api/v1/agents/${did}`, {
        headers: { authorization: `Bearer ${info.apiKey}` },
      });
      const body = (await res.json()) as { integratorScore?: unknown };
      if (res.status !== 200 || body.integratorScore === undefined) throw new Error(`resolve answered ${res.status}`);
    });
    console.log(JSON.stringify(m));
  }
}
