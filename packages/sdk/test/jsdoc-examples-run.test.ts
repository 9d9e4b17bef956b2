// The @example blocks of the SDK's public functions are what an integrator copies. Two called their function with
// arguments it does not take: signKeyRotation was given the new key pair (it takes the private key: INVALID_ARGUMENT),
// and checkCapability was given the request inside the options (it takes token, request, options: INVALID_ARGUMENT).
// The solvePow example posted its JSON without a content type (fetch sends a string as text/plain): 415.
// Here the example's own text is run, with its free names bound, so an example that no longer works fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  checkCapability,
  solvePow,
  decodeBase64,
  encodeUtf8,
  formatPublicKey,
  generateKeyPair,
  getDefaultCrypto,
  keyRotationStatement,
  signKeyRotation,
  VouchClient,
} from '../src/index.ts';
import { capabilityFixture } from './capability-fixtures.ts';
import { NOW } from './registry-fixtures.ts';
import { startLiveServer } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

/** The code of the @example block in the JSDoc right above `export async function <name>` in `file` (src/). */
async function exampleOf(file: string, name: string): Promise<string> {
  const source = await readFile(new URL(`../src/${file}`, import.meta.url), 'utf8');
  const at = source.indexOf(`export async function ${name}(`);
  assert.ok(at > 0, `${file} exports ${name}`);
  const doc = source.slice(source.lastIndexOf('/**', at), at);
  const block = /@example\s*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/.exec(doc);
  assert.ok(block, `${name} has an @example block`);
  return block[1]!.replace(/^\s*\* ?/gm, '');
}

/** Runs `code` as the body of an async function whose parameters are `scope`'s names. */
function runExample(code: string, scope: Record<string, unknown>): Promise<unknown> {
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...a: string[]
  ) => (...v: unknown[]) => Promise<unknown>;
  return new AsyncFunction(...Object.keys(scope), code)(...Object.values(scope));
}

let live: LiveServer;
before(async () => {
  live = await startLiveServer();
});
after(() => live.close());

test('the signKeyRotation example rotates an agent key on a server', async () => {
  const client = new VouchClient({ baseUrl: live.url, now: () => live.clock.now(), retry: { retries: 0 } });
  const { did, key } = await live.registerAgent();
  const next = await generateKeyPair('Ed25519');
  const signer = client.withCredentials({ agent: { did, privateKey: key.privateKey } });
  // The real call, its answer kept (the example's last line discards it).
  let rotated: { publicKey?: unknown } | undefined;
  const asAgent = {
    agents: {
      rotateKey: async (...a: Parameters<typeof signer.agents.rotateKey>) =>
        (rotated = await signer.agents.rotateKey(...a)),
    },
  };
  const code = await exampleOf('agent/key-rotation.ts', 'signKeyRotation');
  const oldKeyBase64 = key.publicKeyBase64!;
  await runExample(code, { client, asAgent, next, did, oldKeyBase64, signKeyRotation, formatPublicKey });
  assert.equal(rotated?.publicKey, next.publicKeyBase64);
  // The statement the example signed names both keys, as the server checked.
  const signedAt = live.clock.now();
  const signature = await signKeyRotation(next.privateKey, { did, oldKeyBase64, signedAt });
  const statement = encodeUtf8(keyRotationStatement(did, oldKeyBase64, next.publicKeyBase64!, signedAt));
  assert.ok(await getDefaultCrypto().verify('EdDSA', next.publicKey, decodeBase64(signature), statement));
});

test('the checkCapability example decides a request', async () => {
  const f = await capabilityFixture();
  const token = await f.token();
  const request = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };
  const logged: unknown[] = [];
  const scope = {
    checkCapability,
    token,
    resolveKey: f.resolveKey,
    request,
    doc: f.g.doc,
    Date: { now: () => NOW.getTime() },
    console: { log: (v: unknown) => logged.push(v) },
  };
  const code = (await exampleOf('capability/token.ts', 'checkCapability')) + '\nreturn d;';
  const allowed = (await runExample(code, scope)) as { decision: string };
  assert.equal(allowed.decision, 'allow');
  assert.deepEqual(logged, []);
  const denied = (await runExample(code, { ...scope, request: { ...request, action: 'delete' } })) as { code: string };
  assert.equal(denied.code, 'ACTION_MISMATCH');
  assert.deepEqual(logged, ['ACTION_MISMATCH']);
});

test('the solvePow example registers an agent', async () => {
  const key = await generateKeyPair('Ed25519');
  const answers: Response[] = [];
  const code = await exampleOf('pow/solve.ts', 'solvePow');
  await runExample(code, {
    solvePow,
    publicKeyBase64: key.publicKeyBase64!,
    url: `${live.url}/api/v1/agents/register`,
    fetch: async (...a: Parameters<typeof fetch>) => answers.push(await fetch(...a)),
  });
  assert.equal(answers.length, 1);
  assert.equal(answers[0]!.status, 201, await answers[0]!.text());
});
