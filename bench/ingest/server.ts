// Child process of ingest.bench.ts (pinned to core 0 with taskset): the real Vouch app on SQLite or PostgreSQL.
//   <engine> <dataDir> <infoFile> <agents> <batch> [<postgresUrl> <schema>]
// Builds the fixture (integrator, agents with consent) in <dataDir> (and <schema>), records the statements one
// ingestion request of <batch> events issues, writes both to <infoFile>, then prints one JSON line {"port": n} once
// listening. Stops on SIGTERM (the data directory and schema belong to the parent).
import { writeFile } from 'node:fs/promises';
import { createFixture, makeBatch } from './fixture.ts';
import { recordIngest, type Recorded } from './raw.ts';

const [engine, dataDir, infoFile, agentsArg, batchArg, pgUrl, pgSchema] = process.argv.slice(2);

/** What the parent and the other children need to reach this fixture. */
export interface ServerInfo {
  engine: 'sqlite' | 'postgres';
  apiKey: string;
  agents: Array<{ did: string; id: string }>;
  dataDir: string;
  pgUrl?: string;
  pgSchema?: string;
  /** The statements of one ingestion request, and the external-id prefix of its events. */
  recorded: Recorded[];
  recordedPrefix: string;
}

const f = await createFixture(engine as 'sqlite' | 'postgres', pgUrl, Number(agentsArg), { dataDir, pgSchema });
const batch = Number(batchArg);
const template = makeBatch(f, batch);
const recordedPrefix = String(template[0]!.externalEventId).split('-')[0]! + '-';
const recorded = await recordIngest(f, makeBatch(f, batch), template);
const info: ServerInfo = {
  engine: f.engine,
  apiKey: f.apiKey,
  agents: f.agents,
  dataDir: f.dataDir,
  pgUrl,
  pgSchema,
  recorded,
  recordedPrefix,
};
await writeFile(infoFile!, JSON.stringify(info));
console.log(JSON.stringify({ port: Number(new URL(f.url).port) }));
process.once('SIGTERM', () => void f.close().then(() => process.exit(0)));
