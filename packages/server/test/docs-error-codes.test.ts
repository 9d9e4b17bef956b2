// docs/PROTOCOL.md's "Errors" section against the server's status table (src/errors.ts), read at run time so that a
// code added there fails here until it is documented. The section lists each code under the status it is answered
// with: in the table's row for that status, or in a module's "... add(s): 400 `A`, `B`; 409 `C`" sentence, where a
// status stands before the codes it answers. The SDK's codes it names are the SDK's refusals of caller input, which the
// error handler answers 400. Elsewhere in the docs, a status written before a code ("409 `REGISTRY_CONFLICT`") must be
// that code's status too. And every code errors.ts lists must be one some route can answer: named in the server's
// source beyond errors.ts (an intercept's deny codes that only ever appear in a 200 decision are not errors, and
// listing them under 403 said something untrue). The SDK's codes a route answers for a malformed key, proof-of-work
// nonce or token in a request are found by sending such inputs, and each must be listed under 400 too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, solvePow } from '@vouch/sdk';
import { STATUS } from '../src/errors.ts';
import { SERVER_SIDE_SDK_CODES } from '../src/http/error-handler.ts';
import { TEST_ADMIN_KEY, makeApp } from './helpers/app.ts';
import { eachEngine } from './helpers/storage.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const serverStatus = STATUS as Readonly<Record<string, number>>;

/** The codes of the SDK's `VouchErrorCode` union, read from its source. */
function sdkCodes(): Set<string> {
  const source = read('packages/sdk/src/errors.ts');
  const union = /export type VouchErrorCode =([^;]*);/.exec(source);
  assert.ok(union, 'packages/sdk/src/errors.ts declares VouchErrorCode');
  return new Set([...union[1]!.matchAll(/'([A-Z0-9_]+)'/g)].map((m) => m[1]!));
}

/** The text under a `## ` heading, up to the next one. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  assert.notEqual(start, -1, `a "## ${heading}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

// Upper snake case, but not a `VOUCH_*` setting.
const CODE = /^(?!VOUCH_)[A-Z][A-Z0-9_]+$/;

/** Each (status, code) the Errors section lists, with the line it came from for the failure message. */
function listedCodes(errors: string): Array<{ status: number; code: string; where: string }> {
  const out: Array<{ status: number; code: string; where: string }> = [];
  const paragraphs = errors.split(/\n\s*\n/).map((p) => p.replace(/\s*\n\s*/g, ' ').trim());
  for (const paragraph of paragraphs) {
    if (paragraph.startsWith('|')) {
      for (const row of paragraph.split(/(?<=\|) (?=\| \d{3} \|)/)) {
        const status = /^\| (\d{3}) \|/.exec(row);
        if (status === null) continue;
        for (const m of row.matchAll(/`([^`]+)`/g)) {
          if (CODE.test(m[1]!)) out.push({ status: Number(status[1]), code: m[1]!, where: `the ${status[1]} row` });
        }
      }
    } else if (/^[A-Z][^:]* adds?: /.test(paragraph)) {
      const where = `"${paragraph.slice(0, paragraph.indexOf(':') + 1)}"`;
      let status: number | undefined;
      for (const m of paragraph.matchAll(/\b([45]\d\d)(?= `)|`([^`]+)`/g)) {
        if (m[1] !== undefined) status = Number(m[1]);
        else if (CODE.test(m[2]!)) {
          assert.ok(status !== undefined, `${where}: \`${m[2]}\` comes before any status`);
          out.push({ status, code: m[2]!, where });
        }
      }
    }
  }
  return out;
}

test('every server error code is documented under its status in PROTOCOL.md "Errors"', () => {
  const listed = listedCodes(section(read('docs/PROTOCOL.md'), 'Errors'));
  const missing = Object.keys(serverStatus).filter((code) => !listed.some((l) => l.code === code));
  assert.deepEqual(
    missing.map((code) => `${code} (${serverStatus[code]})`),
    [],
    'codes of packages/server/src/errors.ts missing from the Errors section of docs/PROTOCOL.md',
  );
});

test('no code PROTOCOL.md "Errors" lists under a status is answered with another', () => {
  const sdk = sdkCodes();
  const wrong: string[] = [];
  for (const { status, code, where } of listedCodes(section(read('docs/PROTOCOL.md'), 'Errors'))) {
    const expected = serverStatus[code];
    // As below: an SDK refusal of the caller's input is a 400 whatever status the server gives a code of that name.
    if (status === 400 && sdk.has(code) && !SERVER_SIDE_SDK_CODES.has(code)) continue;
    if (expected !== undefined) {
      if (expected !== status) wrong.push(`${code} under ${status} in ${where}: errors.ts answers ${expected}`);
    } else if (!sdk.has(code)) {
      wrong.push(`${code} in ${where} is neither a server nor an SDK code`);
    } else if (status !== 400 || SERVER_SIDE_SDK_CODES.has(code)) {
      wrong.push(`${code} in ${where}: an SDK code reaches the caller only as a 400 refusal of its input`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("a status written before a code anywhere in the docs is that code's status", () => {
  const sdk = sdkCodes();
  const wrong: string[] = [];
  for (const path of [
    'README.md',
    'SKILL.md',
    'docs/PROTOCOL.md',
    'docs/registry.md',
    'docs/reputation.md',
    'docs/operations.md',
    'docs/DEVELOPING.md',
  ]) {
    const text = read(path).replace(/\s*\n\s*/g, ' ');
    for (const m of text.matchAll(/\b([1-5]\d\d) `([A-Z][A-Z0-9_]+)`/g)) {
      const [status, code] = [Number(m[1]), m[2]!];
      // An SDK refusal of the caller's input is answered 400 whatever status the server gives a code of that name
      // (POST /api/registry/revoke refuses a token that outlives 24 h with the SDK's TOKEN_LIFETIME_EXCEEDED).
      if (status === 400 && sdk.has(code) && !SERVER_SIDE_SDK_CODES.has(code)) continue;
      const expected = serverStatus[code];
      if (expected !== status)
        wrong.push(`${path}: "${status} ${code}", answered ${expected ?? 'never (no such code)'}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('every code errors.ts lists is one the server can answer: named in its source beyond errors.ts', () => {
  const dir = join(ROOT, 'packages/server/src');
  const sources = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && f !== 'errors.ts')
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  assert.ok(sources.length > 50, 'the server source is found');
  const unanswered = Object.keys(serverStatus).filter((code) => !sources.some((s) => s.includes(`'${code}'`)));
  assert.deepEqual(unanswered, [], 'codes errors.ts gives a status but no route, hook or handler names');
});

eachEngine(
  'every SDK code a route answers for a malformed key, nonce or token is listed under 400',
  async ({ open }) => {
    const { app } = await makeApp(await open(), { env: { VOUCH_POW_DIFFICULTY: '1' } });
    try {
      const pem = { publicKeyEncoding: { type: 'spki', format: 'pem' } } as const;
      const keys = [
        generateKeyPairSync('rsa', { modulusLength: 1024, ...pem }).publicKey, // not Ed25519
        generateKeyPairSync('ec', { namedCurve: 'P-256', ...pem }).publicKey, // another curve
        '-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----', // not PEM
        'AAAA', // 3 bytes of base64
        'ed25519:!!', // not base64url
        'hello world', // no key form at all
        JSON.stringify({ kty: 'RSA', n: 'AQAB', e: 'AQAB' }), // a JWK of another type
        '-----BEGIN CERTIFICATE-----\nMCowBQYDK2VwAyEA\n-----END CERTIFICATE-----', // PEM, but not a key
      ];
      const pair = await generateKeyPair('Ed25519');
      const { x } = pair.publicJwk as { x: string };
      keys.push(
        `{"kty":"OKP","kty":"OKP","crv":"Ed25519","x":"${x}"}`, // a member twice
        `{"kty":"OKP","crv":"Ed25519","x":"${x}","n":1e400}`, // a number JSON.parse makes Infinity
        JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x, alg: 'ES256' }), // the key of another algorithm
      );
      const { nonce } = await solvePow(pair.publicKeyBase64!, { difficulty: 1 });
      const requests: Array<{ url: string; payload: object; headers?: Record<string, string> }> = [
        ...keys.flatMap((publicKey, i) => [
          { url: '/api/v1/agents/register', payload: { publicKey, powNonce: nonce } },
          {
            url: '/v1/identity/register',
            payload: { slug: `probe-agent-${'abcdefghijklmn'[i]}`, public_key_pem: publicKey },
          },
        ]),
        { url: '/api/v1/agents/register', payload: { publicKey: pair.publicKeyBase64!, powNonce: '12a' } },
        ...['x', 'a.b.c', 'eyJhbGciOiJFUzI1NiJ9.e30.AAAA', 'eyJhbGciOiJIUzI1NiJ9.e30.AAAA'].map((token) => ({
          url: '/api/registry/revoke',
          payload: { token },
          headers: { 'x-api-key': TEST_ADMIN_KEY },
        })),
      ];
      const listed = listedCodes(section(read('docs/PROTOCOL.md'), 'Errors'));
      const sdk = sdkCodes();
      const missing = new Set<string>();
      let sdkAnswers = 0;
      for (const { url, payload, headers } of requests) {
        const res = await app.inject({ method: 'POST', url, payload, headers });
        const { code } = res.json() as { code: string };
        assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(payload)}: ${res.body}`);
        if (!sdk.has(code)) continue;
        sdkAnswers++;
        if (!listed.some((l) => l.status === 400 && l.code === code)) missing.add(`${code} (POST ${url})`);
      }
      assert.ok(sdkAnswers >= requests.length / 2, `the requests are refused by the SDK's parsers (${sdkAnswers})`);
      assert.deepEqual([...missing], [], 'SDK codes routes answer that PROTOCOL.md "Errors" does not list under 400');
    } finally {
      await app.close();
    }
  },
);

test('PROTOCOL.md "Domain proofs" names every code a domain check that fails answers in verify-domain\'s errors', () => {
  const proofs = read('docs/PROTOCOL.md').split('\n### Domain proofs\n')[1]?.split('\n### ')[0];
  assert.ok(proofs, 'a "### Domain proofs" section');
  const union = (path: string, name: string) => {
    const m = new RegExp(`export type ${name} =([^;]*);`).exec(read(path));
    assert.ok(m, `${path} declares ${name}`);
    return [...m[1]!.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((c) => c[1]!);
  };
  const codes = [
    ...union('packages/server/src/modules/agents/domain/check.ts', 'CheckFailureCode'),
    ...union('packages/server/src/net/errors.ts', 'NetErrorCode'),
  ];
  assert.ok(codes.length > 10, `the failure codes are found (${codes.length})`);
  assert.deepEqual(
    codes.filter((c) => !proofs.includes(`\`${c}\``)),
    [],
  );
});
