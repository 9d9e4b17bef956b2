// A null options argument to the agent helpers (JavaScript callers, settings read from JSON) threw a raw TypeError
// ("Cannot destructure property 'publicNote' of 'options' as it is null") from signPayloadHash, signContent, report,
// requestToken and createAgentIdentity, where an absent one gives the defaults; null now gives the defaults, as for
// the client's call options and the parsers' options. Against a loopback server that answers each route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { createAgentIdentity, generateKeyPair, VouchAgent, VouchClient } from '../src/index.ts';

const none = null as unknown as undefined;

test('the agent helpers take a null options argument as the defaults', async (t) => {
  let url = '';
  const answers: Record<string, unknown> = {
    '/api/v1/signatures/sign': { signatureHash: 'a'.repeat(64) },
    '/api/v1/agents/report': { reported: true },
    '/api/registry/issue': { token: 't' },
    '/api/v1/agents/register': { did: 'did:identity:new', claimToken: 'vouch_claim_x', linked: false },
  };
  const s = await serveAnswers(t, (req, res) => {
    const body = req.url === '/.well-known/agent-registry.json' ? { issuer: url } : answers[req.url!];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  url = s.url;
  const client = new VouchClient({ baseUrl: s.url });
  const { privateKey } = await generateKeyPair('Ed25519');
  const agent = new VouchAgent(client, { did: 'did:identity:me', privateKey });
  assert.equal((await agent.signPayloadHash('b'.repeat(64), none)).signatureHash, 'a'.repeat(64));
  assert.equal((await agent.signContent('hello', none)).signatureHash, 'a'.repeat(64));
  assert.deepEqual(await agent.report('did:identity:other', 'spam', none), { reported: true });
  assert.deepEqual(await agent.requestToken(none, none), { token: 't' });
  const created = await createAgentIdentity(client, none);
  assert.equal(created.did, 'did:identity:new');
  assert.deepEqual(s.requests, [
    'POST /api/v1/signatures/sign',
    'POST /api/v1/signatures/sign',
    'POST /api/v1/agents/report',
    'POST /api/registry/issue',
    'GET /.well-known/agent-registry.json',
    'POST /api/v1/agents/register',
  ]);
});

// A null publicNote was signed as no note but sent as `publicNote: null`, which the server's schema refuses (400
// VALIDATION_FAILED): a content signature with a note read from JSON as null failed. It is now no note, unsent.
test('signContent with a null publicNote signs and sends no note', async (t) => {
  const bodies: unknown[] = [];
  const s = await serveAnswers(t, respond('application/json', JSON.stringify({ signatureHash: 'a'.repeat(64) })));
  const client = new VouchClient({
    baseUrl: s.url,
    fetch: (url, init) => {
      bodies.push(JSON.parse(init.body!));
      return globalThis.fetch(url, init);
    },
  });
  const { privateKey } = await generateKeyPair('Ed25519');
  const agent = new VouchAgent(client, { did: 'did:identity:me', privateKey });
  await agent.signContent('hello', { publicNote: null as unknown as string });
  assert.equal(bodies.length, 1);
  assert.ok(!Object.hasOwn(bodies[0] as object, 'publicNote'), JSON.stringify(bodies[0]));
});

// A signed report's details and signatureHash set to null were sent as null, which the server's schema refuses (400
// VALIDATION_FAILED); they are now absent, as undefined ones are.
test('report with null details and signatureHash sends neither', async (t) => {
  const bodies: unknown[] = [];
  const s = await serveAnswers(t, respond('application/json', '{"reported":true}'));
  const client = new VouchClient({
    baseUrl: s.url,
    fetch: (url, init) => {
      bodies.push(JSON.parse(init.body!));
      return globalThis.fetch(url, init);
    },
  });
  const { privateKey } = await generateKeyPair('Ed25519');
  const agent = new VouchAgent(client, { did: 'did:identity:me', privateKey });
  await agent.report('did:identity:other', 'spam', { details: none, signatureHash: none });
  assert.deepEqual(Object.keys(bodies[0] as object).sort(), ['did', 'reason', 'reporterDid', 'signature', 'signedAt']);
});

// A token request with members set to null: a null audience made a session token request (signed and refused 400
// for its missing audience) and every null member was sent as null, which the server's schema refuses. They are now
// absent: an identity token is asked for, with none of them sent.
test('requestToken with null members asks for an identity token and sends none of them', async (t) => {
  const bodies: Array<Record<string, unknown>> = [];
  const s = await serveAnswers(t, respond('application/json', '{"token":"t"}'));
  const client = new VouchClient({
    baseUrl: s.url,
    fetch: (url, init) => {
      bodies.push(JSON.parse(init.body!) as Record<string, unknown>);
      return globalThis.fetch(url, init);
    },
  });
  const { privateKey } = await generateKeyPair('Ed25519');
  const agent = new VouchAgent(client, { did: 'did:identity:me', privateKey });
  const request = {
    tokenType: none,
    audience: none,
    nonce: none,
    expiresIn: none,
    deployer: none,
    modelProviders: none,
    framework: none,
  };
  await agent.requestToken(request);
  assert.equal(bodies[0]!.token_type, 'identity');
  assert.deepEqual(Object.keys(bodies[0]!).sort(), ['agent_name', 'proof', 'signedAt', 'token_type']);
});

// createAgentIdentity's members set to null: a null difficulty was INVALID_POW_DIFFICULTY, a null publicUrl
// INVALID_ARGUMENT, and a null label or linkingKey was sent as null, which the server's schema refuses. They are now
// absent: the default difficulty, the discovered URL, nothing sent.
test('createAgentIdentity with null members uses the defaults and sends none of them', async (t) => {
  let url = '';
  const bodies: Array<Record<string, unknown>> = [];
  const s = await serveAnswers(t, (req, res) => {
    const body = req.url === '/.well-known/agent-registry.json' ? { issuer: url } : { did: 'did:identity:new' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  url = s.url;
  const client = new VouchClient({
    baseUrl: s.url,
    fetch: (u, init) => {
      if (init.body !== undefined) bodies.push(JSON.parse(init.body) as Record<string, unknown>);
      return globalThis.fetch(u, init);
    },
  });
  const options = { label: none, linkingKey: none, difficulty: none, publicUrl: none, onProgress: none };
  const created = await createAgentIdentity(client, options);
  assert.equal(created.did, 'did:identity:new');
  assert.deepEqual(s.requests, ['GET /.well-known/agent-registry.json', 'POST /api/v1/agents/register']);
  assert.deepEqual(Object.keys(bodies[0]!).sort(), ['keyProof', 'powNonce', 'publicKey']);
});
