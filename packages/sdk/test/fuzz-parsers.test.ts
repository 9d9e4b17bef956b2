// Every SDK parser fed noise and mutated valid inputs (fast-check, VOUCH_FUZZ_RUNS cases each, default 100; base
// seed VOUCH_FUZZ_SEED, default fixed, named in a failure's message so it can be replayed): keys in every format and
// from raw bytes, JWS/JWT decode and verify, registry entries/proposals/documents, governance replay, quorum and
// their verification, canonical JSON, capability credentials, proofs, tokens and revocation requests, and the offline
// verifiers of fetched documents (tool manifests, trust registry, tokens, content signatures, key lists) and of a
// stored verifier cache (createOfflineVerifier, each member broken in turn), and the documents fetchVerifierCache and
// the online AIP verifier fetch (each answer broken in turn). Each call returns or throws a VouchError with a string
// code — never another exception type — and finishes quickly; the verifiers that answer a verdict never throw at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  VouchError,
  aipKeysFromJwks,
  canonicalize,
  capabilityKeysFromVouchKeys,
  createOfflineVerifier,
  createAipVerifier,
  AIP_DISCOVERY_PATH,
  AIP_PROTOCOL,
  fetchVerifierCache,
  VouchClient,
  checkCapability,
  checkIssuer,
  checkPow,
  checkQuorum,
  decodeBase64,
  decodeBase64url,
  decodeCapabilityToken,
  decodeHex,
  decodeJws,
  decodeJwt,
  decodeUtf8,
  encodeBase64,
  encodeUtf8,
  es256KeyFromJwk,
  formatPrivateKey,
  formatPublicKey,
  generateKeyPair,
  getDefaultCrypto,
  jwkThumbprint,
  keysFromJwks,
  parseCapabilityClaims,
  parseIssuerEntry,
  parsePrivateKey,
  parseProposal,
  parseRegistryDocument,
  parseRetryAfter,
  parseScopeEntry,
  parseStrict,
  parsePublicKey,
  privateKeyFromRaw,
  publicKeyFromRaw,
  replayGovernance,
  sha256Hex,
  signAgentCredential,
  signCapabilityProof,
  signJwt,
  signRevocationRequest,
  validateIssuerEntry,
  validateProposal,
  validateRegistryDocument,
  verifyAgentCredential,
  verifyAipToken,
  verifyCapability,
  verifyCapabilityProof,
  verifyContent,
  verifyJws,
  verifyJwt,
  verifyRegistry,
  verifyRevocationRequest,
  verifyToken,
  verifyToolManifest,
  verifyTrustRegistry,
} from '../src/index.ts';
import type {
  FetchLike,
  HttpFetch,
  Jwks,
  KeyType,
  SignatureRecord,
  ToolManifest,
  VerifierCache,
  VouchKeys,
} from '../src/index.ts';
import type { GeneratedKeyPair, PublicKeyFormat, PrivateKeyFormat } from '../src/index.ts';
import { Api } from '../src/client/api.ts';
import { governedRegistry, NOW } from './registry-fixtures.ts';
import { capabilityFixture } from './capability-fixtures.ts';
import { aipIssuer, ISS, NOW as AIP_NOW } from './aip-fixtures.ts';
// VOUCH_FUZZ_RUNS and VOUCH_FUZZ_SEED, read and checked as the server fuzzers read them.
import { FUZZ_RUNS, FUZZ_SEED, assertRanCount } from '../../server/test/fuzz/runs.ts';

/** One call taking longer than this is treated as a hang (a synchronous loop cannot be interrupted, only timed). */
const SLOW_MS = 2_000;

/** CPU milliseconds this process has used: a runaway loop spends them, a core shared with other work does not. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function seedFor(name: string): number {
  let h = FUZZ_SEED;
  for (const c of name) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h & 0x7fffffff;
}

/** Runs `fn`; a VouchError with a string code is a refusal, anything else (or a slow call) fails the case. */
async function refusesCleanly(fn: () => unknown, input: unknown): Promise<void> {
  const started = cpuMs();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(fn),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('hang')), SLOW_MS);
      }),
    ]);
  } catch (err) {
    if (!(err instanceof VouchError) || typeof err.code !== 'string' || err.code === '') {
      const shown = JSON.stringify(input, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))?.slice(0, 300);
      assert.fail(`not a VouchError: ${(err as Error)?.name}: ${(err as Error)?.message} for ${shown}`);
    }
  } finally {
    clearTimeout(timer);
  }
  // CPU time, not the wall clock: on a loaded machine a quick call can wait seconds for a core; a slow one (the timer
  // above catches a call that never returns) spends them.
  const took = cpuMs() - started;
  assert.ok(took < SLOW_MS, `took ${Math.round(took)} ms of CPU`);
}

/** A valid string broken one way: truncated, a character replaced or inserted, a part repeated, case flipped. */
function mutated(valid: readonly string[]): fc.Arbitrary<string> {
  const base = fc.constantFrom(...valid);
  return fc.oneof(
    base,
    fc.tuple(base, fc.nat()).map(([s, i]) => s.slice(0, i % (s.length + 1))),
    fc.tuple(base, fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })).map(([s, i, c]) => {
      const at = i % Math.max(1, s.length);
      return s.slice(0, at) + c + s.slice(at + 1);
    }),
    fc.tuple(base, fc.nat(), fc.string({ maxLength: 8 })).map(([s, i, c]) => {
      const at = i % (s.length + 1);
      return s.slice(0, at) + c + s.slice(at);
    }),
    fc.tuple(base, fc.nat()).map(([s, i]) => s + s.slice(i % (s.length + 1))),
    base.map((s) => s.replace(/[a-z]/g, (c) => c.toUpperCase())),
    base.map((s) => s.split('.').reverse().join('.')),
  );
}

const noiseText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 5 }),
  fc.constantFrom(
    '',
    '.',
    '..',
    '...',
    'a.b.c',
    'e30.e30.',
    '{}',
    '[]',
    'null',
    '-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----',
  ),
  fc.integer({ min: 100, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 100, max: 5_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.constant('x'.repeat(300_000)),
);

/** JSON texts of a valid document broken at the structure level: fields dropped, retyped or added. */
function mutatedJson(valid: readonly object[]): fc.Arbitrary<unknown> {
  const value = fc.anything({ maxDepth: 2 });
  return fc.tuple(fc.constantFrom(...valid), fc.nat(), value, fc.nat({ max: 3 })).map(([doc, i, v, how]) => {
    const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
    const paths: Array<[Record<string, unknown> | unknown[], string | number]> = [];
    const walk = (node: unknown) => {
      if (node === null || typeof node !== 'object') return;
      for (const [k, child] of Object.entries(node)) {
        paths.push([node as Record<string, unknown>, Array.isArray(node) ? Number(k) : k]);
        walk(child);
      }
    };
    walk(copy);
    const [parent, key] = paths[i % paths.length]!;
    if (how === 0) delete (parent as Record<string, unknown>)[key as string];
    else if (how === 1) (parent as Record<string, unknown>)[key as string] = v;
    else if (how === 2) (parent as Record<string, unknown>)[`x${String(key)}`] = v;
    else (parent as Record<string, unknown>)[key as string] = JSON.parse(JSON.stringify([v])) as unknown;
    return copy;
  });
}

async function check<T>(name: string, arb: fc.Arbitrary<T>, fn: (input: T) => unknown): Promise<void> {
  let ran = 0;
  try {
    await fc.assert(
      fc.asyncProperty(arb, (input) => {
        ran += 1;
        return refusesCleanly(() => fn(input), input);
      }),
      { numRuns: FUZZ_RUNS, seed: seedFor(name) },
    );
    // A property that hard-codes its own numRuns, or stops early, would otherwise pass while fuzzing less.
    assertRanCount(ran);
  } catch (err) {
    // fast-check names the property's derived seed; the base seed and runs replay the whole file.
    if (err instanceof Error)
      err.message = `${name}: replay with VOUCH_FUZZ_SEED=${FUZZ_SEED} VOUCH_FUZZ_RUNS=${FUZZ_RUNS}\n${err.message}`;
    throw err;
  }
}

/**
 * For the verifiers that answer a verdict (`{valid: false, code, error}`) instead of throwing: every input, however
 * malformed, resolves to a verdict with a string code — a throw of any kind fails the case.
 */
async function answers<T>(name: string, arb: fc.Arbitrary<T>, fn: (input: T) => Promise<unknown>): Promise<void> {
  await check(name, arb, async (input) => {
    let verdict: unknown;
    try {
      verdict = await fn(input);
    } catch (err) {
      assert.fail(`threw instead of answering: ${(err as Error)?.name}: ${(err as Error)?.message}`);
    }
    const v = verdict as { valid?: unknown; code?: unknown };
    assert.equal(typeof v.valid, 'boolean', `no verdict: ${JSON.stringify(verdict)?.slice(0, 200)}`);
    if (v.valid === false) assert.equal(typeof v.code, 'string', 'a refusal without a code');
  });
}

/** A tool manifest signed as the server signs one with `server` (kid `tm-1`), and the key list that verifies it. */
async function signedToolManifest(server: GeneratedKeyPair): Promise<{ manifest: ToolManifest; vouchKeys: VouchKeys }> {
  const vouchKeys = {
    keys: [{ ...server.publicJwk, kid: 'tm-1', purpose: 'tool-manifest' }],
  } as unknown as VouchKeys;
  const tools = ['search', 'read_file'];
  const toolDescriptions = { search: 'Searches.', read_file: 'Reads a file.' };
  const hash = await sha256Hex(canonicalize({ tools, tool_descriptions: toolDescriptions }));
  const statement = {
    type: 'vouch-tool-manifest-v1',
    did: 'did:identity:abc',
    slug: 'bot',
    tool_manifest_hash: hash,
    updated_at: '2026-01-01T00:00:00.000Z',
  };
  const crypto = getDefaultCrypto();
  const signature = encodeBase64(await crypto.sign('EdDSA', server.privateKey, encodeUtf8(canonicalize(statement))));
  const manifest = {
    did: statement.did,
    agent_slug: statement.slug,
    tools,
    tool_descriptions: toolDescriptions,
    tool_manifest_hash: hash,
    updated_at: statement.updated_at,
    signature,
    signature_kid: 'tm-1',
    agent_status: 'claimed',
    revoked_at: null,
  } as unknown as ToolManifest;
  return { manifest, vouchKeys };
}

/** One document of a server's, answered broken: its JSON mutated or noise text, with some other status or type. */
interface BrokenAnswer {
  path: string;
  status: number;
  type: string;
  text: string;
}

/**
 * One of `documents` (by path) answered broken: mostly a 200 JSON answer, so that most broken documents reach the
 * reader rather than its status check, with the document broken anywhere (mutatedJson) or at one of its own members
 * (dropped or replaced: the members a reader checks first are few among a document's nodes), or noise text.
 */
function oneDocumentBroken(documents: Record<string, unknown>): fc.Arbitrary<BrokenAnswer> {
  const status = fc.oneof(
    { weight: 6, arbitrary: fc.constant(200) },
    { weight: 1, arbitrary: fc.constantFrom(201, 204, 206, 304, 400, 404, 429, 500, 503) },
  );
  const type = fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('application/json; charset=utf-16', 'text/html', 'text/plain', '', 'text/json'),
    },
  );
  const broken = (doc: Record<string, unknown>) =>
    fc.oneof(
      mutatedJson([doc]),
      fc.tuple(fc.constantFrom(...Object.keys(doc)), fc.option(fc.anything({ maxDepth: 2 }))).map(([key, v]) => {
        const copy: Record<string, unknown> = { ...doc };
        if (v === null) delete copy[key];
        else copy[key] = v;
        return copy;
      }),
    );
  return fc.constantFrom(...Object.keys(documents)).chain((path) =>
    fc.record({
      path: fc.constant(path),
      status,
      type,
      text: fc.oneof(
        { weight: 4, arbitrary: broken(documents[path] as Record<string, unknown>).map((d) => JSON.stringify(d)) },
        { weight: 1, arbitrary: noiseText },
      ),
    }),
  );
}

/** `broken` as a fetch Response (no body for the statuses that have none). */
function brokenAnswer(broken: BrokenAnswer): Response {
  const empty = [204, 304].includes(broken.status);
  return new Response(empty ? null : broken.text, { status: broken.status, headers: { 'content-type': broken.type } });
}

/** A genuine document, answered 200 as JSON. */
function jsonAnswer(doc: unknown): Response {
  return new Response(JSON.stringify(doc), { status: 200, headers: { 'content-type': 'application/json' } });
}

let ed: GeneratedKeyPair;
let p256: GeneratedKeyPair;
const publicForms: string[] = [];
const privateForms: string[] = [];

test('keys in every format: parsePublicKey / parsePrivateKey refuse with VouchError only', async () => {
  ed = await generateKeyPair('Ed25519');
  p256 = await generateKeyPair('P-256');
  const bytesToText = (v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : typeof v === 'string' ? v : JSON.stringify(v);
  for (const pair of [ed, p256]) {
    for (const f of ['registry', 'base64', 'pem', 'der', 'jwk', 'raw'] as PublicKeyFormat[]) {
      try {
        publicForms.push(bytesToText(formatPublicKey(pair.publicKey, f)));
      } catch {
        // not every format exists for every curve (registry and base64 are Ed25519 forms)
      }
    }
    for (const f of ['pem', 'der', 'jwk', 'raw'] as PrivateKeyFormat[]) {
      privateForms.push(bytesToText(formatPrivateKey(pair.privateKey, f)));
    }
  }
  const text = fc.oneof(mutated([...publicForms, ...privateForms]), noiseText);
  const jwkObject = mutatedJson([ed.publicJwk, p256.publicJwk, ed.privateJwk, p256.privateJwk]);
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    mutated(publicForms).map((s) => Buffer.from(s, 'latin1')),
  );
  const anyInput = fc.oneof(text, jwkObject, bytes, fc.anything({ maxDepth: 2 }));
  const type = fc.constantFrom(undefined, 'Ed25519', 'P-256', 'RSA');
  await check('parsePublicKey', fc.tuple(anyInput, type), ([i, t]) =>
    parsePublicKey(i as never, t === undefined ? {} : ({ type: t } as never)),
  );
  await check('parsePrivateKey', fc.tuple(anyInput, type), ([i, t]) =>
    parsePrivateKey(i as never, t === undefined ? {} : ({ type: t } as never)),
  );
  await check('decoders', fc.tuple(text, fc.nat({ max: 2 })), ([s, w]) =>
    [decodeBase64, decodeBase64url, decodeHex][w]!(s),
  );
});

test('JWS/JWT: decode and verify refuse with VouchError only', async () => {
  const now = Date.UTC(2026, 0, 1);
  const claims = {
    iss: 'https://vouch.test',
    sub: 'did:key:z',
    iat: now / 1000,
    exp: now / 1000 + 600,
    jti: 'j1',
    aud: 'a',
    nonce: 'n',
  };
  const tokens = [
    await signJwt(claims, p256.privateKey, { kid: p256.thumbprint, typ: 'agent-identity+jwt' }),
    await signJwt(claims, ed.privateKey, { kid: ed.thumbprint }),
  ];
  const token = fc.oneof(mutated(tokens), noiseText, fc.anything({ maxDepth: 1 }));
  const resolveKey = keysFromJwks({
    keys: [
      { ...p256.publicJwk, kid: p256.thumbprint },
      { ...ed.publicJwk, kid: ed.thumbprint },
    ],
  } as never);
  await check('decodeJws', token, (t) => decodeJws(t as string));
  await check('decodeJwt', token, (t) => decodeJwt(t as string));
  await check('verifyJws', token, (t) => verifyJws(t as string, { resolveKey, algorithms: ['ES256', 'EdDSA'] }));
  await check('verifyJwt', token, (t) =>
    verifyJwt(t as string, { resolveKey, algorithms: ['ES256', 'EdDSA'], issuer: claims.iss, audience: 'a', now }),
  );
  await check('verifyAipToken', token, (t) => verifyAipToken(t as string, { resolveKey, now }));
  await check('keysFromJwks', mutatedJson([{ keys: [p256.publicJwk, ed.publicJwk] }]), (j) => keysFromJwks(j as never));

  // Header and claims that are well-formed JSON but wrong in structure (a field dropped, retyped or added), signed
  // with the real key so that verification gets past the signature to the header and claim checks. The character
  // mutations above almost never decode to changed JSON: of 10,000 tokens, no header and one payload did.
  const header = decodeJws(tokens[0]!).header; // ES256, with a kid and a typ
  const part = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url');
  const signedInput = fc
    .tuple(fc.oneof(fc.constant(header), mutatedJson([header])), mutatedJson([claims]))
    .map(([h, c]) => `${part(h)}.${part(c)}`);
  const signed = async (input: string) => {
    const signature = await getDefaultCrypto().sign('ES256', p256.privateKey, encodeUtf8(input));
    return `${input}.${Buffer.from(signature).toString('base64url')}`;
  };
  // Genuine before it is mutated (this throws otherwise), so the mutants reach what follows the signature check.
  const jwtOptions = { resolveKey, algorithms: ['ES256', 'EdDSA'] as const, issuer: claims.iss, audience: 'a', now };
  await verifyJwt(await signed(`${part(header)}.${part(claims)}`), jwtOptions);
  await check('verifyJws signed', signedInput, async (i) =>
    verifyJws(await signed(i), { resolveKey, algorithms: ['ES256', 'EdDSA'] }),
  );
  await check('verifyJwt signed', signedInput, async (i) => verifyJwt(await signed(i), jwtOptions));
  await check('verifyAipToken signed', signedInput, async (i) => verifyAipToken(await signed(i), { resolveKey, now }));
});

test('canonical JSON: canonicalize and parseStrict refuse with VouchError only', async () => {
  const weird = fc.oneof(
    fc.anything({
      maxDepth: 4,
      withBigInt: true,
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      withDate: true,
    }),
    fc.constantFrom(NaN, Infinity, -0, undefined, () => 1, Symbol('s'), '\ud800', { a: '\udfff' }, { toJSON: () => 1 }),
    fc.integer({ min: 100, max: 5_000 }).map((n) => {
      let v: unknown = 1;
      for (let i = 0; i < n; i++) v = [v];
      return v;
    }),
    fc.constant(
      (() => {
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        return cyclic;
      })(),
    ),
  );
  await check('canonicalize', weird, (v) => canonicalize(v));
  const text = fc.oneof(
    noiseText,
    mutated(['{"a":1,"b":[true,null,"x"]}', '{"\\u0061":1}', '[1e400]', '{"a":1,"a":2}']),
  );
  await check(
    'parseStrict',
    fc.oneof(
      text,
      text.map((s) => Buffer.from(s, 'utf8')),
    ),
    (s) => parseStrict(s),
  );
  const options = fc.record(
    { maxDepth: fc.oneof(fc.integer({ min: -2, max: 2000 }), fc.anything({ maxDepth: 0 })) },
    { requiredKeys: [] },
  );
  await check('parseStrict options', fc.tuple(text, options), ([s, o]) => parseStrict(s, o as never));
});

test('registry entries, proposals and documents: parse, validate and verify refuse with VouchError only', async () => {
  const governed = await governedRegistry();
  const doc = governed.doc;
  const entries = doc.issuers as unknown as object[];
  const proposals = doc.governance
    .filter((s) => 'proposal' in s)
    .map((s) => (s as unknown as { proposal: object }).proposal);
  const structured = fc.oneof(mutatedJson([doc]), fc.anything({ maxDepth: 2 }));
  const text = fc.oneof(mutated([JSON.stringify(doc), ...entries.map((e) => JSON.stringify(e))]), noiseText);
  await check('parseRegistryDocument', text, (s) => parseRegistryDocument(s));
  await check('validateRegistryDocument', structured, (d) => validateRegistryDocument(d));
  await check('verifyRegistry', mutatedJson([doc]), (d) =>
    verifyRegistry(d as never, { rootKey: governed.root.publicKey, now: NOW }),
  );
  await check('verifyRegistry rootKey', fc.oneof(mutated([governed.root.publicKey]), noiseText), (k) =>
    verifyRegistry(doc, { rootKey: k, now: NOW }),
  );
  await check('parseIssuerEntry', text, (s) => parseIssuerEntry(s));
  await check('validateIssuerEntry', fc.oneof(mutatedJson(entries), fc.anything({ maxDepth: 2 })), (e) =>
    validateIssuerEntry(e),
  );
  if (proposals.length > 0) {
    await check('parseProposal', fc.oneof(mutated(proposals.map((p) => JSON.stringify(p))), noiseText), (s) =>
      parseProposal(s),
    );
    await check('validateProposal', fc.oneof(mutatedJson(proposals), fc.anything({ maxDepth: 2 })), (p) =>
      validateProposal(p),
    );
  }
});

test('capability credentials, proofs and tokens refuse with VouchError only', async () => {
  const governed = await governedRegistry();
  const alpha = governed.orgs.alpha!;
  const agent = await generateKeyPair('Ed25519');
  const now = NOW.getTime();
  const credential = await signAgentCredential(
    {
      issuerId: alpha.id,
      agentId: 'agent-1',
      scope: ['payments:invoices:read'],
      agentKey: agent.publicKey,
      ttlSeconds: 600,
      now,
    },
    alpha.privateKey,
  );
  const input = fc.oneof(mutated([credential]), noiseText, fc.anything({ maxDepth: 1 }));
  await check('verifyAgentCredential', input, (c) =>
    verifyAgentCredential(c as string, {
      registry: governed.doc,
      now,
      agentId: 'agent-1',
      resource: 'payments:invoices',
      action: 'read',
    }),
  );
  await check('decodeCapabilityToken', input, (c) => decodeCapabilityToken(c as string));
  await check(
    'parseCapabilityClaims',
    fc.oneof(
      mutatedJson([{ iss: 'a', sub: 'b', iat: 1, exp: 2, jti: 'j', scope: ['x:y'] }]),
      fc.anything({ maxDepth: 2 }),
    ),
    (c) => parseCapabilityClaims(c),
  );
  const resolveKey = keysFromJwks({ keys: [{ ...ed.publicJwk, kid: ed.thumbprint }] } as never);
  await check('checkCapability', input, (t) =>
    checkCapability(t, { resource: 'payments:invoices', action: 'read' } as never, {
      resolveKey,
      now,
      registry: governed.doc,
    }),
  );
  const proofInput = { agentId: 'agent-1', resource: 'payments:invoices', action: 'read' };
  const proof = await signCapabilityProof(proofInput as never, agent.privateKey);
  await check('verifyCapabilityProof', fc.oneof(mutated([proof]), noiseText), (p) =>
    verifyCapabilityProof(p, { ...proofInput, agentKey: agent.publicKey, now } as never),
  );
});

test('offline verifiers of fetched documents refuse with VouchError only or answer invalid', async () => {
  const governed = await governedRegistry();
  const alpha = governed.orgs.alpha!;
  const now = NOW.getTime();

  // A tool manifest signed as the server signs one, and the key list that verifies it.
  const server = await generateKeyPair('Ed25519');
  const { manifest, vouchKeys } = await signedToolManifest(server);
  // The fixture is genuine, so mutations start from a manifest that passes every check.
  assert.equal((await verifyToolManifest(manifest, { vouchKeys })).valid, true);
  await answers('verifyToolManifest', fc.oneof(mutatedJson([manifest]), fc.anything({ maxDepth: 2 })), (m) =>
    verifyToolManifest(m as ToolManifest, { vouchKeys }),
  );
  await answers('verifyToolManifest keys', fc.oneof(mutatedJson([vouchKeys]), fc.anything({ maxDepth: 2 })), (k) =>
    verifyToolManifest(manifest, { vouchKeys: k as VouchKeys }),
  );

  await answers('verifyTrustRegistry', fc.oneof(mutatedJson([governed.doc]), fc.anything({ maxDepth: 2 })), (d) =>
    verifyTrustRegistry(d, { rootKey: governed.root.publicKey, now }),
  );
  await check('replayGovernance', mutatedJson([governed.doc.governance]), (g) => replayGovernance(g as never));
  const state = replayGovernance(governed.doc.governance).state!;
  const proposals = governed.doc.governance
    .filter((s) => 'proposal' in s)
    .map((s) => (s as unknown as { proposal: object }).proposal);
  if (proposals.length > 0) {
    await check('checkQuorum', fc.oneof(mutatedJson(proposals), fc.anything({ maxDepth: 2 })), (p) =>
      checkQuorum(state, p as never),
    );
  }
  await check(
    'checkIssuer',
    fc.oneof(fc.constantFrom(alpha.id, 'alpha'), noiseText, fc.anything({ maxDepth: 1 })),
    (id) => checkIssuer(governed.doc, id as string),
  );

  const revocation = await signRevocationRequest({ jti: 'j1', issuerId: alpha.id }, alpha.privateKey, { now });
  await check(
    'verifyRevocationRequest',
    fc.oneof(mutated([revocation]), noiseText, fc.anything({ maxDepth: 1 })),
    (r) => verifyRevocationRequest(r as string, { registry: governed.doc, jti: 'j1', now }),
  );

  const gateway = await generateKeyPair('Ed25519');
  const capabilityKeys = { keys: [{ ...gateway.publicJwk, kid: gateway.thumbprint, purpose: 'capability' }] };
  const request = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };
  await check('verifyCapability', fc.oneof(noiseText, fc.anything({ maxDepth: 1 })), (t) =>
    verifyCapability(t as string, request as never, { vouchKeys: capabilityKeys as unknown as VouchKeys }, { now }),
  );
  await check('verifyCapability keys', fc.oneof(mutatedJson([capabilityKeys]), fc.anything({ maxDepth: 2 })), (k) =>
    verifyCapability('e30.e30.', request as never, { vouchKeys: k as VouchKeys }, { now }),
  );
  await check(
    'capabilityKeysFromVouchKeys',
    fc.oneof(mutatedJson([capabilityKeys]), fc.anything({ maxDepth: 2 })),
    (k) => capabilityKeysFromVouchKeys(k as never)(gateway.thumbprint, { alg: 'EdDSA' } as never),
  );

  const claims = { iss: 'https://vouch.test', sub: 'did:key:z', iat: now / 1000, exp: now / 1000 + 600, jti: 'j1' };
  const p256 = await generateKeyPair('P-256');
  const token = await signJwt(claims, p256.privateKey, { kid: p256.thumbprint, typ: 'agent-identity+jwt' });
  const discovery = { issuer: claims.iss, keys: [{ ...p256.publicJwk, kid: p256.thumbprint }] };
  await answers('verifyToken', fc.oneof(mutated([token]), noiseText, fc.anything({ maxDepth: 1 })), (t) =>
    verifyToken(t as string, { discovery, revocations: { jtis: [] } } as never, { now }),
  );
  const jwks = fc.oneof(mutatedJson([{ keys: discovery.keys }]), fc.anything({ maxDepth: 2 }));
  await check('aipKeysFromJwks', jwks, (j) => aipKeysFromJwks(j as Jwks).resolveKey(p256.thumbprint, {} as never));
  await check('es256KeyFromJwk', fc.oneof(mutatedJson([p256.publicJwk]), fc.anything({ maxDepth: 2 })), (j) =>
    es256KeyFromJwk(j as Record<string, unknown>),
  );
  await check(
    'jwkThumbprint',
    fc.oneof(mutatedJson([p256.publicJwk, server.publicJwk, p256.privateJwk]), fc.anything({ maxDepth: 2 })),
    (j) => jwkThumbprint(j as never),
  );

  const content = 'hello';
  const payloadHash = createHash('sha256').update(content).digest('hex');
  const record = {
    valid: true,
    signedAt: 1_700_000_000_000,
    payloadHash,
    signature: 'A'.repeat(86) + '==',
    signerPublicKey: server.publicKeyRegistry,
    agent: { did: 'did:identity:abc', status: 'active' },
  };
  await answers(
    'verifyContent',
    fc.tuple(
      fc.oneof(fc.constant('0'.repeat(64)), noiseText),
      fc.oneof(fc.constant(content), noiseText, fc.uint8Array({ maxLength: 64 })),
      fc.oneof(mutatedJson([record]), fc.anything({ maxDepth: 2 })),
    ),
    ([h, c, r]) => verifyContent(h as string, c as string, { record: r as SignatureRecord }),
  );

  const bytes = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.anything({ maxDepth: 0 }));
  const keyType = fc.constantFrom<unknown>('Ed25519', 'P-256', 'RSA', undefined, 1);
  await check('publicKeyFromRaw', fc.tuple(keyType, bytes), ([t, b]) =>
    publicKeyFromRaw(t as KeyType, b as Uint8Array),
  );
  await check('privateKeyFromRaw', fc.tuple(keyType, bytes), ([t, b]) =>
    privateKeyFromRaw(t as KeyType, b as Uint8Array),
  );
  await check('decodeUtf8', bytes, (b) => decodeUtf8(b as Uint8Array));
  await check(
    'checkPow',
    fc.tuple(
      fc.oneof(fc.constant(server.publicKeyRegistry ?? ''), noiseText),
      noiseText,
      fc.oneof(fc.integer({ min: -5, max: 70 }), fc.anything({ maxDepth: 0 })),
    ),
    ([k, n, d]) => checkPow(k as string, n as string, d as number),
  );
  await check('parseScopeEntry', fc.oneof(noiseText, fc.anything({ maxDepth: 1 })), (e) => parseScopeEntry(e));
  await check(
    'parseRetryAfter',
    fc.tuple(fc.oneof(noiseText, fc.constant(null)), fc.oneof(fc.integer(), fc.double())),
    ([v, n]) => parseRetryAfter(v as string | null, n),
  );
});

test('an offline verifier over a stored cache broken anywhere answers every check, never throws', async () => {
  // A cache as fetchVerifierCache gives it, written to a file and read back (the documented use), every part genuine:
  // the AIP discovery keys, the Vouch keys (tool manifests and capability tokens), the revocations, the trust
  // registry and a signature record. Each case breaks one member of it, anywhere, and runs all six helpers.
  const cap = await capabilityFixture();
  const now = NOW.getTime();
  const server = await generateKeyPair('Ed25519');
  const { manifest, vouchKeys } = await signedToolManifest(server);
  const aip = await aipIssuer();
  const token = await aip.sign({ ...aip.identity, iat: now / 1000, exp: now / 1000 + 600 });
  const agentKey = await generateKeyPair('Ed25519');
  const alpha = cap.g.orgs.alpha!;
  const credential = await signAgentCredential(
    {
      issuerId: alpha.id,
      agentId: 'agent:x',
      scope: ['payments:invoices:read'],
      agentKey: agentKey.publicKey,
      ttlSeconds: 600,
      now,
    },
    alpha.privateKey,
  );
  const capability = await cap.token();
  const request = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };
  const content = 'hello';
  const contentHash = createHash('sha256').update(content).digest('hex');
  const cache = JSON.parse(
    JSON.stringify({
      server: ISS,
      fetchedAt: now,
      discovery: { issuer: ISS, keys: aip.jwks.keys },
      vouchKeys: {
        keys: [...vouchKeys.keys, { ...cap.gateway.publicJwk, kid: cap.gateway.thumbprint, purpose: 'capability' }],
      },
      revocations: { jtis: ['other'], cursor: 'c1' },
      trustRegistry: cap.g.doc,
      signatures: {
        [contentHash]: {
          valid: true,
          signedAt: now,
          payloadHash: contentHash,
          signature: 'A'.repeat(86) + '==',
          signerPublicKey: server.publicKeyRegistry,
          agent: { did: 'did:identity:abc', status: 'active' },
        },
      },
    }),
  ) as VerifierCache;
  const options = { rootKey: cap.g.root.publicKey, now: () => now };
  // Genuine before it is broken: each check passes on the whole cache (the content record is not, its signature is
  // a placeholder), so the broken caches reach past the first check of each.
  const whole = createOfflineVerifier(cache, options);
  const genuine = [
    await whole.verifyToken(token),
    await whole.verifyRegistry(),
    await whole.verifyAgentCredential(credential, request),
    await whole.verifyToolManifest(manifest),
  ];
  for (const v of genuine) assert.equal(v.valid, true, JSON.stringify(v).slice(0, 300));
  const allowed = await whole.verifyCapability(capability, request);
  assert.equal(allowed.decision, 'allow', JSON.stringify(allowed));
  const verdict = (v: { valid?: unknown; code?: unknown }, what: string) => {
    assert.equal(typeof v.valid, 'boolean', `${what}: no verdict: ${JSON.stringify(v)?.slice(0, 200)}`);
    if (v.valid === false) assert.equal(typeof v.code, 'string', `${what}: a refusal without a code`);
  };
  // One member at a time, broken inside or replaced whole: the registry document holds most of the cache's nodes, so
  // breaking the cache at a node drawn from all of them would almost never reach the small members.
  const members = Object.keys(cache) as Array<keyof VerifierCache>;
  const broken = fc.constantFrom(...members).chain((key) =>
    fc
      .oneof(
        mutatedJson([{ [key]: cache[key] }]),
        fc.anything({ maxDepth: 2 }).map((v) => ({ [key]: v })),
      )
      .map((member) => {
        const rest: Record<string, unknown> = { ...cache };
        delete rest[key]; // a member dropped stays dropped
        return { ...rest, ...(member as object) };
      }),
  );
  await check('createOfflineVerifier cache', broken, async (broken) => {
    const v = createOfflineVerifier(broken as unknown as VerifierCache, options);
    const run = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
      try {
        return await call();
      } catch (err) {
        return assert.fail(`${what} threw instead of answering: ${(err as Error)?.name}: ${(err as Error)?.message}`);
      }
    };
    verdict(await run('verifyToken', () => v.verifyToken(token)), 'verifyToken');
    verdict(await run('verifyRegistry', () => v.verifyRegistry()), 'verifyRegistry');
    verdict(await run('verifyAgentCredential', () => v.verifyAgentCredential(credential, request)), 'credential');
    verdict(await run('verifyToolManifest', () => v.verifyToolManifest(manifest)), 'verifyToolManifest');
    verdict(await run('verifyContent', () => v.verifyContent(contentHash, content)), 'verifyContent');
    const decision = await run('verifyCapability', () => v.verifyCapability(capability, request));
    assert.ok(['allow', 'deny'].includes(decision.decision), `verifyCapability: ${JSON.stringify(decision)}`);
    if (decision.decision === 'deny') assert.equal(typeof decision.code, 'string', 'a denial without a code');
  });
});

test('documents fetchVerifierCache reads, each broken in turn: a cache or a VouchError, nothing else', async () => {
  // What a server answers for each document the cache is made of, every one genuine; each case breaks one of them
  // (its JSON mutated, noise text, another status or content type) and fetches the whole cache through the client.
  const cap = await capabilityFixture();
  const aip = await aipIssuer();
  const server = await generateKeyPair('Ed25519');
  const { vouchKeys } = await signedToolManifest(server);
  const hash = 'a'.repeat(64);
  const documents: Record<string, unknown> = {
    '/.well-known/agent-registry.json': { issuer: ISS, keys: aip.jwks.keys },
    '/.well-known/vouch-keys.json': vouchKeys,
    '/api/registry/revocations': {
      revoked: [{ jti: 'j-1', revoked_at: '2026-01-01T00:00:00.000Z', exp: 0, reason: null }],
      count: 1,
      cursor: '1',
      has_more: false,
    },
    '/.well-known/agent-trust.json': cap.g.doc,
    '/api/v1/signatures/verify': {
      valid: true,
      signedAt: 0,
      payloadHash: hash,
      signature: 'A'.repeat(86) + '==',
      signerPublicKey: server.publicKeyRegistry,
      agent: { did: 'did:identity:abc', status: 'active' },
    },
  };
  const cases = fc.record({ broken: oneDocumentBroken(documents), more: fc.boolean() });
  let cached = 0;
  await check('fetchVerifierCache answers', cases, async ({ broken, more }) => {
    // `more`: the revocation page says has_more (up to maxRevocationPages)
    const fetch: HttpFetch = async (url) => {
      const at = new URL(url).pathname;
      if (at === broken.path) return brokenAnswer(broken);
      const page = at === '/api/registry/revocations' && more;
      return jsonAnswer(page ? { ...(documents[at] as object), has_more: true } : documents[at]);
    };
    const client = new VouchClient({ baseUrl: ISS, fetch, retry: { retries: 0 }, now: () => NOW.getTime() });
    await fetchVerifierCache(client, { signatures: [hash], maxRevocationPages: 3 });
    cached += 1;
  });
  // Some cases must get a whole cache (a document broken where the reader does not look), or nothing was read.
  if (FUZZ_RUNS >= 100) assert.ok(cached > 0, 'no case gave a cache');
});

test('documents the online AIP verifier fetches, each broken in turn: a verdict, or a VouchError', async () => {
  // An issuer's discovery document, JWKS and revocation list, every one genuine; each case breaks one of them and
  // verifies a genuine token with a fresh verifier (which fetches all three).
  const aip = await aipIssuer();
  const token = await aip.sign(aip.identity);
  const documents: Record<string, unknown> = {
    [AIP_DISCOVERY_PATH]: {
      protocol: AIP_PROTOCOL,
      issuer: ISS,
      jwks_uri: `${ISS}/jwks`,
      revocations_endpoint: `${ISS}/revocations`,
    },
    '/jwks': aip.jwks,
    '/revocations': { revoked: [{ jti: 'j-9', exp: AIP_NOW / 1000 + 60 }], cursor: 'c1', has_more: false },
  };
  const verifierFor = (broken: BrokenAnswer) => {
    const fetch: FetchLike = async (url) => {
      const at = new URL(url).pathname;
      return at === broken.path ? brokenAnswer(broken) : jsonAnswer(documents[at]);
    };
    return createAipVerifier({ issuer: ISS, fetch, now: () => AIP_NOW });
  };
  // Genuine before it is broken: the token verifies against the three documents as they are.
  const genuine = await verifierFor({ path: '', status: 200, type: '', text: '' }).check(token);
  assert.equal(genuine.valid, true, JSON.stringify(genuine));
  let verified = 0;
  await check('createAipVerifier documents', oneDocumentBroken(documents), async (broken) => {
    await verifierFor(broken).verify(token);
    verified += 1;
  });
  await answers('createAipVerifier documents check', oneDocumentBroken(documents), (broken) =>
    verifierFor(broken).check(token),
  );
  // Some cases must verify (a document broken where the verifier does not look), or nothing was read.
  if (FUZZ_RUNS >= 100) assert.ok(verified > 0, 'no case verified');
});

/** Every public client method, called with valid arguments: the property below fails when one is missing here. */
const CLIENT_CALLS: Record<string, (c: VouchClient) => Promise<unknown>> = {
  'server.health': (c) => c.server.health(),
  'server.ready': (c) => c.server.ready(),
  'server.metrics': (c) => c.server.metrics(),
  'server.vouchKeys': (c) => c.server.vouchKeys(),
  'server.audit': (c) => c.server.audit({ limit: 5 }),
  'server.keys': (c) => c.server.keys(),
  'server.rotateKey': (c) => c.server.rotateKey({ purpose: 'aip' }),
  'server.rebuildReputation': (c) => c.server.rebuildReputation({ dryRun: true }),
  'agents.register': (c) => c.agents.register({ publicKey: 'A'.repeat(43) + '=', powNonce: '1' }),
  'agents.claim': (c) => c.agents.claim('claim-1'),
  'agents.setSlug': (c) => c.agents.setSlug('did:identity:abc', 'bot'),
  'agents.releaseSlug': (c) => c.agents.releaseSlug('did:identity:abc'),
  'agents.revoke': (c) => c.agents.revoke('did:identity:abc', 'lost'),
  'agents.rotateKey': (c) =>
    c.agents.rotateKey('did:identity:abc', { newPublicKey: 'B'.repeat(43) + '=', newKeySignature: 's', signedAt: 1 }),
  'agents.rotateManagementToken': (c) => c.agents.rotateManagementToken('did:identity:abc'),
  'agents.report': (c) => c.agents.report({ did: 'did:identity:abc', reason: 'spam' } as never),
  'agents.resolve': (c) => c.agents.resolve('did:identity:abc'),
  'owners.create': (c) => c.owners.create({ name: 'Acme', handle: 'acme' }),
  'owners.me': (c) => c.owners.me({ limit: 2 }),
  'owners.createLinkingKey': (c) => c.owners.createLinkingKey(),
  'owners.rotateKey': (c) => c.owners.rotateKey(),
  'identity.register': (c) => c.identity.register({ slug: 'bot' }),
  'identity.get': (c) => c.identity.get('bot'),
  'identity.setTools': (c) => c.identity.setTools('bot', { tools: ['search'] }),
  'identity.getTools': (c) => c.identity.getTools('bot'),
  'identity.verifyTools': (c) => c.identity.verifyTools('bot', ['search']),
  'identity.setVoiceFingerprint': (c) =>
    c.identity.setVoiceFingerprint('bot', { fingerprint_hash: 'a'.repeat(64), provider: 'p', sample_count: 3 }),
  'identity.verifyVoice': (c) => c.identity.verifyVoice('bot', 'a'.repeat(64)),
  'identity.domainChallenge': (c) => c.identity.domainChallenge('bot', 'example.com'),
  'identity.verifyDomain': (c) => c.identity.verifyDomain('bot', 'example.com'),
  'tokens.discovery': (c) => c.tokens.discovery(),
  'tokens.jwks': (c) => c.tokens.jwks(),
  'tokens.agents': (c) => c.tokens.agents({ limit: 2 }),
  'tokens.spec': (c) => c.tokens.spec(),
  'tokens.issue': (c) => c.tokens.issue({ did: 'did:identity:abc' } as never, { as: 'admin' }),
  'tokens.verify': (c) => c.tokens.verify({ token: 'e30.e30.' }),
  'tokens.revoke': (c) => c.tokens.revoke({ jti: 'j-1' }),
  'tokens.revocations': (c) => c.tokens.revocations({ limit: 2 }),
  'registry.document': (c) => c.registry.document(),
  'registry.summary': (c) => c.registry.summary(),
  'registry.issuer': (c) => c.registry.issuer('alpha'),
  'registry.genesis': (c) => c.registry.genesis({ issuers: [], threshold: 1 }),
  'registry.propose': (c) => c.registry.propose({ id: 'p1' } as never),
  'registry.proposals': (c) => c.registry.proposals({ status: 'pending' }),
  'registry.proposal': (c) => c.registry.proposal('p1'),
  'registry.cosign': (c) => c.registry.cosign('p1', { issuer: 'alpha', sig: 's' } as never),
  'registry.refresh': (c) => c.registry.refresh(),
  'signatures.sign': (c) => c.signatures.sign({ payloadHash: 'a'.repeat(64) } as never),
  'signatures.verify': (c) => c.signatures.verify('a'.repeat(64)),
  'signatures.certify': (c) => c.signatures.certify({ signatureHash: 'a'.repeat(64), contentHash: 'b'.repeat(64) }),
  'integrators.create': (c) => c.integrators.create({ slug: 'acme', metrics: [] } as never),
  'integrators.list': (c) => c.integrators.list(),
  'integrators.setMetrics': (c) => c.integrators.setMetrics('acme', []),
  'integrators.rotateKey': (c) => c.integrators.rotateKey('acme'),
  'integrators.consent': (c) => c.integrators.consent({ integratorSlug: 'acme' } as never),
  'integrators.disclosure': (c) => c.integrators.disclosure('acme'),
  'integrators.ingest': (c) => c.integrators.ingest({ externalEventId: 'e1' } as never),
  'capabilities.issue': (c) => c.capabilities.issue({ agentId: 'agent:x' } as never),
  'capabilities.intercept': (c) => c.capabilities.intercept({ token: 't' } as never),
  'capabilities.interceptBatch': (c) => c.capabilities.interceptBatch([{ token: 't' } as never]),
  'capabilities.revoke': (c) => c.capabilities.revoke({ tokenId: 't1' }),
  'capabilities.delegate': (c) => c.capabilities.delegate({ token: 't' } as never),
};

/** The client's methods, `group.method`, read from a client: a method added to an API class is listed here. */
function clientMethods(client: VouchClient): string[] {
  const names: string[] = [];
  for (const [group, api] of Object.entries(client)) {
    if (!(api instanceof Api)) continue;
    for (
      let proto = Object.getPrototypeOf(api) as object;
      proto !== Api.prototype;
      proto = Object.getPrototypeOf(proto)
    ) {
      for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.push(`${group}.${name}`);
    }
  }
  return names.sort();
}

test('every client method answered a broken body: a JSON object (text routes: text), or a VouchError', async () => {
  const agent = await generateKeyPair('Ed25519');
  const credentials = {
    adminKey: 'admin',
    ownerKey: 'owner',
    integratorKey: 'integrator',
    managementToken: 'management',
    agent: { did: 'did:identity:abc', privateKey: agent.privateKey },
  };
  const probe = new VouchClient({ baseUrl: ISS });
  assert.deepEqual(clientMethods(probe), Object.keys(CLIENT_CALLS).sort(), 'CLIENT_CALLS must list every method');
  // Valid answers of a few shapes, broken anywhere (or noise, another status or type), answered to a few methods each.
  const documents: Record<string, unknown> = {
    health: { status: 'ok' },
    page: {
      ownerId: 'o1',
      name: 'Acme',
      handle: 'acme',
      agents: [{ did: 'did:identity:abc', slug: null }],
      next: null,
    },
    revocations: { revoked: [{ jti: 'j-1', revoked_at: '2026-01-01T00:00:00.000Z', exp: 0 }], count: 1, cursor: '1' },
    verdict: { valid: false, code: 'JWT_MALFORMED', error: 'no' },
    ingest: { success: true, count: 1, results: [{ externalEventId: 'e1', status: 'accepted' }] },
  };
  const text = new Set(['server.metrics', 'tokens.spec']);
  // Each case answers its broken body to a few methods (a deep or long body costs each call its parse), and every
  // method must come up across the run.
  const called = new Set<string>();
  const cases = fc.record({
    broken: oneDocumentBroken(documents),
    methods: fc.shuffledSubarray(Object.keys(CLIENT_CALLS), { minLength: 6, maxLength: 6 }),
  });
  await check('client methods answered broken', cases, async ({ broken, methods }) => {
    const fetch: HttpFetch = async () => brokenAnswer(broken);
    const client = new VouchClient({ baseUrl: ISS, fetch, credentials, retry: { retries: 0 }, now: () => AIP_NOW });
    for (const name of methods) {
      called.add(name);
      let answer: unknown;
      try {
        answer = await CLIENT_CALLS[name]!(client);
      } catch (err) {
        if (err instanceof VouchError && typeof err.code === 'string' && err.code !== '') continue;
        throw err;
      }
      // A text route hands back text, or the parsed body when it is labelled JSON (client-text-route-json-utf8).
      const shaped = text.has(name)
        ? typeof answer === 'string' || broken.type.includes('json')
        : typeof answer === 'object' && answer !== null && !Array.isArray(answer);
      // Printed only on a failure: a deep answer (5,000 levels) would overflow the stack of JSON.stringify.
      if (!shaped) assert.fail(`${name} resolved ${JSON.stringify(answer)?.slice(0, 100)}`);
    }
  });
  if (FUZZ_RUNS >= 100) assert.equal(called.size, Object.keys(CLIENT_CALLS).length, 'a method never came up');
});
