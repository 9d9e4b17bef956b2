// Child process of tokens.bench.ts (pinned to its own core with taskset): serves token verification over HTTP.
//   vouch <tokensFile> <count> [<postgresUrl> <schema>]
//                                the real Vouch app on SQLite (or PostgreSQL, in that schema); issues <count>
//                                tokens and writes them (with the public JWK) to <tokensFile>; /metrics is public. On a second port
//                                (`ladderPort`), a bare Fastify route that calls the server's verifyToken on the
//                                same context and answers the claims: the app's checks without the app's hooks.
//   bare <tokensFile>            a bare Fastify route that only does the raw async ES256 verify (the HTTP limit);
//                                and POST /verify-sdk, the SDK's verifyAipToken answering the claims.
// Prints one JSON line {"port": n, ...} once listening; stops on SIGTERM.
// The extra routes are the steps between the limit and the app, measured in the same run (docs/performance.md).
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { generateKeyPair, keysFromJwks, verifyAipToken } from '../../packages/sdk/src/index.ts';
import { adminKeyDigests, buildApp, loadConfig } from '../../packages/server/src/index.ts';
import { ensureServerKey, openStorage } from '../../packages/server/src/storage/index.ts';
import { isTokenFailure, issueToken, verifyToken } from '../../packages/server/src/modules/tokens/service.ts';
import { keyringOf } from '../../packages/server/src/modules/tokens/keyring.ts';

const [mode, tokensFile, countArg, pgUrl, pgSchema] = process.argv.slice(2);

async function vouch(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-bench-tokens-'));
  const config = loadConfig({
    VOUCH_DATA_DIR: dir,
    VOUCH_LOG_LEVEL: 'silent',
    VOUCH_POW_DIFFICULTY: '0',
    VOUCH_RATE_LIMIT_MAX: '1000000',
    VOUCH_TOKEN_VERIFY_RATE_MAX: '1000000000',
    VOUCH_TOKEN_ISSUE_RATE_MAX: '1000000000',
    // The bench reads the signature cache's hits and misses per row from /metrics.
    VOUCH_METRICS_PUBLIC: '1',
  });
  const storage = await openStorage({
    dataDir: dir,
    ...(pgUrl ? { databaseUrl: pgUrl, pgSchema, pgPoolMax: 10 } : {}),
  });
  const kek = randomBytes(32);
  await ensureServerKey(storage, kek, 'tokens', 'ES256', Date.now());
  const { app, ctx } = await buildApp({
    config,
    storage,
    kek,
    adminKeys: adminKeyDigests(randomBytes(24).toString('hex')),
  });
  const agent = await generateKeyPair('Ed25519');
  const reg = await app.inject({
    method: 'POST',
    url: '/api/v1/agents/register',
    payload: { publicKey: agent.publicKeyBase64, powNonce: '0' },
  });
  const did = (reg.json() as { did: string }).did;
  const tokens: string[] = [];
  const admin = { caller: 'admin', id: 'admin' } as const;
  for (let i = 0; i < Number(countArg); i++) {
    const type = i % 2 === 0 ? 'identity' : 'session';
    const issued = await issueToken(ctx, admin, {
      agentRef: did,
      tokenType: type,
      audience: type === 'session' ? 'shop.example' : undefined,
      deployer: 'bench',
      modelProviders: ['anthropic/claude'],
    });
    tokens.push(issued.token);
  }
  const key = await keyringOf(ctx).signingKey();
  const jwk = (await keyringOf(ctx).publishedKeys()).find((k) => k.kid === key.kid)!.publicJwk;
  await writeFile(tokensFile!, JSON.stringify({ issuer: config.publicUrl, jwk, tokens }));
  const ladder = Fastify();
  ladder.post('/verify', async (req, reply) => {
    try {
      const { claims } = await verifyToken(ctx, (req.body as { token: string }).token);
      return { valid: true, claims };
    } catch (err) {
      if (!isTokenFailure(err)) throw err;
      return reply.code(401).send({ valid: false, code: err.code });
    }
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const ladderAddress = await ladder.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ port: Number(new URL(address).port), ladderPort: Number(new URL(ladderAddress).port) }));
  process.once('SIGTERM', () => {
    void ladder
      .close()
      .then(() => app.close())
      .then(() => storage.close())
      .then(() => rm(dir, { recursive: true, force: true }))
      .then(() => process.exit(0));
  });
}

async function bare(): Promise<void> {
  const { jwk, issuer } = JSON.parse(await readFile(tokensFile!, 'utf8')) as {
    jwk: Record<string, string>;
    issuer: string;
  };
  const key = {
    key: createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! }, format: 'jwk' }),
    dsaEncoding: 'ieee-p1363' as const,
  };
  const app = Fastify();
  app.post('/verify', async (req) => {
    const token = (req.body as { token: string }).token;
    const dot = token.lastIndexOf('.');
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    const valid = await new Promise<boolean>((resolve) =>
      verify('sha256', Buffer.from(token.slice(0, dot)), key, signature, (err, ok) => resolve(!err && ok)),
    );
    return { valid };
  });
  const resolveKey = keysFromJwks({ keys: [jwk] });
  app.post('/verify-sdk', async (req, reply) => {
    try {
      const { claims } = await verifyAipToken((req.body as { token: string }).token, {
        resolveKey,
        issuer,
        now: Date.now(),
      });
      return { valid: true, claims };
    } catch {
      return reply.code(401).send({ valid: false });
    }
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ port: Number(new URL(address).port) }));
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

await (mode === 'vouch' ? vouch() : bare());
