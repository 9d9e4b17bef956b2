// The registration proof of possession from the SDK's side: the statement (the server checks the very same string),
// and createAgentIdentity against real listening servers that require the proof: sent by default with the server's
// public URL from discovery (even when it is not the URL the client connects to), refused when left out or when it
// names another server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createAgentIdentity,
  decodeBase64,
  encodeUtf8,
  generateKeyPair,
  getDefaultCrypto,
  registrationStatement,
  signKeyProof,
  VouchApiError,
  VouchClient,
} from '../src/index.ts';
import type { HttpFetch } from '../src/index.ts';
import { registrationStatement as serverStatement } from '../../server/src/modules/agents/auth.ts';
import { startLiveServer, T0 } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

const DIFFICULTY = 2;
const KEY = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';

const servers: LiveServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

/** A server that registers only proven keys (pinned clock, small proof of work). */
async function provingServer(env: Record<string, string> = {}): Promise<LiveServer> {
  const live = await startLiveServer({
    VOUCH_REQUIRE_KEY_PROOF: '1',
    VOUCH_POW_DIFFICULTY: String(DIFFICULTY),
    ...env,
  });
  servers.push(live);
  return live;
}

/** A client on `baseUrl` with the server's clock, recording each request it sends and the status it got. */
function recordingClient(live: LiveServer, baseUrl: string) {
  const seen: string[] = [];
  const fetchImpl: HttpFetch = async (url, init) => {
    const res = await fetch(url, init);
    seen.push(`${init.method} ${new URL(url).pathname} ${res.status}`);
    return res;
  };
  return { client: new VouchClient({ baseUrl, fetch: fetchImpl, now: () => live.clock.now() }), seen };
}

async function refusal(promise: Promise<unknown>): Promise<VouchApiError> {
  const err = await promise.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof VouchApiError, String(err));
  return err;
}

test('registrationStatement: the exact string, the one the server checks', async () => {
  const statement = registrationStatement('https://vouch.example', KEY, 1767225600000);
  assert.equal(statement, `vouch-register-v1:https://vouch.example:${KEY}:1767225600000`);
  assert.equal(serverStatement('https://vouch.example', KEY, 1767225600000), statement);

  // signKeyProof: the key's standard base64 signature of that statement for its own public key.
  const pair = await generateKeyPair('Ed25519');
  const proof = await signKeyProof(pair.privateKey, { publicUrl: 'https://vouch.example', signedAt: T0 });
  assert.equal(proof.signedAt, T0);
  const message = encodeUtf8(registrationStatement('https://vouch.example', pair.publicKeyBase64!, T0));
  assert.ok(await getDefaultCrypto().verify('EdDSA', pair.publicKey, decodeBase64(proof.signature), message));
  await assert.rejects(signKeyProof(pair.privateKey, { publicUrl: '', signedAt: T0 }), { code: 'INVALID_ARGUMENT' });
});

test('createAgentIdentity proves its key by default; keyProof: false is refused by a server that requires it', async () => {
  const live = await provingServer();
  const { client, seen } = recordingClient(live, live.url);
  const created = await createAgentIdentity(client, { label: 'proven-bot', difficulty: DIFFICULTY });
  assert.deepEqual(seen, ['GET /.well-known/agent-registry.json 200', 'POST /api/v1/agents/register 201']);
  const profile = await client.identity.get(created.did);
  assert.equal(profile.key_proven, true);

  seen.length = 0;
  const err = await refusal(createAgentIdentity(client, { keyProof: false, difficulty: DIFFICULTY }));
  assert.equal(err.status, 400);
  assert.equal(err.code, 'VALIDATION_FAILED');
  assert.match(err.message, /keyProof is required/);
  assert.deepEqual(seen, ['POST /api/v1/agents/register 400'], 'no discovery request without a proof');
});

test("the proof names the server's public URL from discovery, not the URL the client connects to", async () => {
  const live = await provingServer({ VOUCH_PUBLIC_URL: 'https://vouch.example' });
  const loopback = live.server.address; // http://127.0.0.1:<port>
  assert.match(loopback, /^http:\/\/127\.0\.0\.1:\d+$/);
  const { client } = recordingClient(live, loopback);
  const created = await createAgentIdentity(client, { difficulty: DIFFICULTY });
  assert.equal((await client.identity.get(created.did)).key_proven, true);

  // Given explicitly, the URL is used as is: the connection's URL is not the server's public one.
  const wrong = await refusal(createAgentIdentity(client, { publicUrl: loopback, difficulty: DIFFICULTY }));
  assert.equal(wrong.status, 400);
  assert.equal(wrong.code, 'SIGNATURE_INVALID');
  const right = await createAgentIdentity(client, { publicUrl: 'https://vouch.example', difficulty: DIFFICULTY });
  assert.equal((await client.identity.get(right.did)).key_proven, true);
  // A given URL loses its trailing slashes, as VOUCH_PUBLIC_URL does: the proof names the server's URL.
  const slashed = await createAgentIdentity(client, { publicUrl: 'https://vouch.example//', difficulty: DIFFICULTY });
  assert.equal((await client.identity.get(slashed.did)).key_proven, true);
});
