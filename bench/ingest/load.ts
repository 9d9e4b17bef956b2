// The ingestion bench's load client: request bodies built by string concatenation from per-position templates
// and sent with node:http over one keep-alive connection, so the client (which, with one batch in flight, the
// server waits on between batches) costs little next to the server's work. Same events as fixture.makeBatch.
import { Agent, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { METRICS_OF_EVENT, SLUG } from './fixture.ts';

const DAY = 86_400_000;
const TAG = randomBytes(4).toString('hex');
let batches = 0;

/** Builds bodies of `size` events over `agents` (the fixture's), each with fresh external ids. */
export function bodyMaker(engine: string, agents: ReadonlyArray<{ did: string }>, size: number): () => string {
  // For position i: the JSON of the event before the id, and after it up to occurredAt.
  const heads: string[] = [];
  const tails: string[] = [];
  for (let i = 0; i < size; i++) {
    heads.push(`{"envId":"${SLUG}.production.v1","eventType":"task.completed","externalEventId":"`);
    const rest = {
      subjectType: 'agent',
      subjectId: agents[i % agents.length]!.did,
      actorType: 'human',
      actorId: `user-${i % 97}`,
      metricValues: METRICS_OF_EVENT(i),
      data: { i, note: 'bench' },
    };
    tails.push(`-${engine}-${i}",${JSON.stringify(rest).slice(1, -1)},"occurredAt":`);
  }
  return () => {
    const b = `l${++batches}${TAG}`;
    const now = Date.now();
    const parts = new Array<string>(size);
    for (let i = 0; i < size; i++) parts[i] = `${heads[i]}${b}${tails[i]}${now - (i % 7) * DAY}}`;
    return `[${parts.join(',')}]`;
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** POSTs one body; resolves with the answer's status and parsed JSON. */
export function post(url: string, apiKey: string, body: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Closes the keep-alive connections (so the process can exit). */
export function closeLoad(): void {
  agent.destroy();
}
