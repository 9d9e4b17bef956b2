// A capability gateway for the benches: the real Vouch app on SQLite in a temporary directory, a registry of five
// issuers (threshold 3) created through its own HTTP API, and `count` issuer-bound tokens for distinct agents with
// the intercept request each one allows.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { draftIssuerEntry, generateKeyPair, signAgentCredential } from '../../packages/sdk/src/index.ts';
import { adminKeyDigests, buildApp, loadConfig } from '../../packages/server/src/index.ts';
import type { AppContext } from '../../packages/server/src/context.ts';
import { openStorage, type Storage } from '../../packages/server/src/storage/index.ts';
import { issueCapability } from '../../packages/server/src/modules/capabilities/service.ts';

export interface InterceptRequest {
  token: string;
  agentId: string;
  resource: string;
  action: string;
}

export interface BenchGateway {
  app: FastifyInstance;
  ctx: AppContext;
  storage: Storage;
  requests: InterceptRequest[];
  /** The capability key as published in /.well-known/vouch-keys.json. */
  jwk: Record<string, unknown>;
  close(): Promise<void>;
}

export async function benchGateway(count: number): Promise<BenchGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-bench-capabilities-'));
  const config = loadConfig({
    VOUCH_DATA_DIR: dir,
    VOUCH_LOG_LEVEL: 'silent',
    VOUCH_RATE_LIMIT_MAX: '1000000',
    VOUCH_TOKEN_ISSUE_RATE_MAX: '1000000000',
    // The bench reads the signature cache's hits and misses per row from /metrics.
    VOUCH_METRICS_PUBLIC: '1',
  });
  const storage = await openStorage({ dataDir: dir });
  const adminKey = randomBytes(24).toString('hex');
  const { app, ctx } = await buildApp({ config, storage, kek: randomBytes(32), adminKeys: adminKeyDigests(adminKey) });
  const issuers = await Promise.all(
    ['acme', 'bolt', 'coda', 'dyad', 'echo'].map(async (id) => {
      const pair = await generateKeyPair('Ed25519');
      const entry = draftIssuerEntry({
        id,
        publicKey: pair.publicKeyRegistry!,
        endpoint: `https://credentials.${id}.example`,
        name: `${id} Inc.`,
        contact: `trust@${id}.example`,
      });
      return { id, pair, entry };
    }),
  );
  const g = await app.inject({
    method: 'POST',
    url: '/v1/registry/genesis',
    headers: { 'x-api-key': adminKey },
    payload: { issuers: issuers.map((i) => i.entry), threshold: 3 },
  });
  if (g.statusCode !== 201) throw new Error(`genesis failed: ${g.body}`);
  const requests: InterceptRequest[] = new Array<InterceptRequest>(count);
  const issueOne = async (i: number) => {
    const issuer = issuers[i % issuers.length]!;
    const agentId = `agent:bench-${i}:v1`;
    const agentCredential = await signAgentCredential(
      { issuerId: issuer.id, agentId, ttlSeconds: 86_400, scope: ['payments:*:read'] },
      issuer.pair.privateKey,
    );
    const resource = `payments:invoices:${i}`;
    const { token } = await issueCapability(ctx, null, {
      agentId,
      resource: 'payments:*',
      action: 'read',
      issuerBinding: { issuerId: issuer.id, agentCredential },
      tier: 'standard',
      expiresIn: 3600,
    });
    requests[i] = { token, agentId, resource, action: 'read' };
  };
  // A few at a time: the signatures run on the threadpool while the database writes.
  let next = 0;
  const worker = async () => {
    while (next < count) await issueOne(next++);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const keys = (await app.inject({ method: 'GET', url: '/.well-known/vouch-keys.json' })).json() as {
    keys: Array<Record<string, unknown>>;
  };
  const jwk = keys.keys.find((k) => k.purpose === 'capability' && k.status === 'active')!;
  return {
    app,
    ctx,
    storage,
    requests,
    jwk,
    async close() {
      await app.close();
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
