// Child process of capabilities.bench.ts (pinned to its own core with taskset): serves intercepts over HTTP.
//   vouch <requestsFile> <count>   the real Vouch gateway on SQLite (bench/capabilities/gateway.ts); writes its
//                                  intercept requests and capability JWK to <requestsFile>
//   bare <requestsFile>            a bare Fastify route that only does the raw async Ed25519 verify (the HTTP limit)
// Prints one JSON line {"port": n} once listening; stops on SIGTERM.
import { createPublicKey, verify } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import Fastify from 'fastify';
import { benchGateway } from './gateway.ts';

const [mode, requestsFile, countArg] = process.argv.slice(2);

async function vouch(): Promise<void> {
  const gw = await benchGateway(Number(countArg));
  await writeFile(requestsFile!, JSON.stringify({ jwk: gw.jwk, requests: gw.requests }));
  const address = await gw.app.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ port: Number(new URL(address).port) }));
  process.once('SIGTERM', () => void gw.close().then(() => process.exit(0)));
}

async function bare(): Promise<void> {
  const { jwk } = JSON.parse(await readFile(requestsFile!, 'utf8')) as { jwk: { x: string } };
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
  const app = Fastify();
  app.post('/intercept', async (req) => {
    const token = (req.body as { token: string }).token;
    const dot = token.lastIndexOf('.');
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    const ok = await new Promise<boolean>((resolve) =>
      verify(null, Buffer.from(token.slice(0, dot)), key, signature, (err, valid) => resolve(!err && valid)),
    );
    return { decision: ok ? 'allow' : 'deny' };
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ port: Number(new URL(address).port) }));
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

await (mode === 'vouch' ? vouch() : bare());
