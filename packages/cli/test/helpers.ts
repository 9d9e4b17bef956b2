import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPrivateKey, formatPublicKey, generateKeyPair } from '@vouch/sdk';
import { serveAnswers } from '../../sdk/test/answering-server.ts';
import type { Received } from '../../sdk/test/answering-server.ts';
import { main } from '../src/main.ts';
import type { Io } from '../src/output.ts';

/** Runs the CLI in process and captures what it prints. */
export async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => void (out += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => void (err += t.endsWith('\n') ? t : `${t}\n`),
  };
  const code = await main(['node', 'vouch', ...args], io);
  return { code, out, err };
}

/** The variables a CLI command reads credentials and its server from (cleared by {@link runClean}). */
const CREDENTIAL_VARIABLES = ['VOUCH_ADMIN_KEY', 'VOUCH_OWNER_KEY', 'VOUCH_LINKING_KEY', 'VOUCH_SERVER'] as const;

/**
 * Runs the CLI in process with none of the credential variables set, whatever the caller's environment holds, and
 * with `env` set for the run (VOUCH_HOME, say); everything is put back after.
 */
export async function runClean(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  const names = [...new Set([...CREDENTIAL_VARIABLES, ...Object.keys(env)])];
  const saved = names.map((n) => process.env[n]);
  for (const n of names) delete process.env[n];
  Object.assign(process.env, env);
  try {
    return await run(...args);
  } finally {
    names.forEach((n, i) => (saved[i] === undefined ? delete process.env[n] : (process.env[n] = saved[i])));
  }
}

export const BIN = new URL('../bin/vouch.js', import.meta.url).pathname;

/** Runs the real `vouch` binary as a child process (no standard input). */
export function spawnVouch(args: string[], env: Record<string, string>, cwd: string) {
  return spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the real `vouch` binary to its exit and captures what it printed. */
export function runBin(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; out: string; err: string }> {
  return outcomeOf(spawnVouch(args, env, cwd));
}

/** Waits for a spawned process (stdout and stderr piped) to exit and captures what it printed. */
export function outcomeOf(child: ChildProcessByStdio<null, Readable, Readable>): Promise<{
  code: number;
  out: string;
  err: string;
}> {
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/** Runs a command and asserts its exit code, showing what it printed when it differs. */
export async function ok(expected: number, ...args: string[]): Promise<{ out: string; err: string }> {
  const r = await run(...args);
  assert.equal(r.code, expected, `vouch ${args.join(' ')}\n--- stdout\n${r.out}--- stderr\n${r.err}`);
  return r;
}

/** A fresh temporary directory, removed when the test ends. */
export async function tempDir(t: { after: (fn: () => Promise<void>) => void }, prefix = 'vouch-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function json<T = Record<string, unknown>>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

export const ISSUERS = ['acme', 'bolt', 'coda', 'dyad', 'echo'] as const;

/** Keys for the root and the five {@link ISSUERS}, and a draft entry for each in <base>/registry/issuers. */
export async function draftRegistry(base: string): Promise<{ reg: string; key: (id: string) => string }> {
  const key = (id: string): string => join(base, `${id}.key.json`);
  const reg = join(base, 'registry');
  await ok(0, 'registry', 'keygen', '--output', key('root'));
  for (const id of ISSUERS) await draftIssuer(reg, key(id), id, `${id} Inc.`);
  return { reg, key };
}

/** A new key at `keyFile` and `vouch registry draft` of issuer `id` with it into `reg`; the draft's output. */
export async function draftIssuer(
  reg: string,
  keyFile: string,
  id: string,
  name = id,
): Promise<{ out: string; err: string }> {
  await ok(0, 'registry', 'keygen', '--output', keyFile);
  return ok(
    0,
    'registry',
    'draft',
    '--dir',
    reg,
    '--id',
    id,
    '--public-key',
    keyFile,
    '--endpoint',
    `https://credentials.${id}.example`,
    '--name',
    name,
    '--contact',
    `trust@${id}.example`,
  );
}

/** A request the {@link recordingServer} received. */
export type Seen = Received;

/**
 * A loopback HTTP server, closed when the test ends, that records each request (with its body) and then lets
 * `answer` respond (or hold the response).
 */
export async function recordingServer(
  t: { after: (fn: () => Promise<void>) => void },
  answer: (res: ServerResponse, seen: Seen) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const { url, received } = await serveAnswers(t, (_req, res) => answer(res, received.at(-1)!));
  return { url, seen: received };
}

/** Answers `body` as JSON with `status` (for a {@link recordingServer}'s `answer`). */
/**
 * The CLI's line for a 2xx the SDK refused before the command read it (not JSON, or JSON but not an object such as
 * null): `path answered <status> with a body that is not the JSON answer it should be`.
 */
export function sdkRefusedAnswer(path: string, status = 200): RegExp {
  return new RegExp(`${path} answered ${status} with a body that is not the JSON answer`);
}

export function answerJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Starts a server on `env` long enough to read the key ids its JWKS publishes (sorted), then closes it. */
export async function jwksKids(env: Record<string, string>): Promise<string[]> {
  // Loaded here, not at the top: most CLI tests never start a server.
  const { loadConfig, startServer } = await import('@vouch/server');
  const server = await startServer(loadConfig({ ...env, VOUCH_HOST: '127.0.0.1' }));
  try {
    const res = await fetch(new URL('/.well-known/jwks.json', server.address));
    assert.equal(res.status, 200);
    return ((await res.json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid).sort();
  } finally {
    await server.close();
  }
}

/**
 * Runs the binary with `args` against a PostgreSQL deployment (a URL with a password, a schema) in an empty temp
 * folder, and asserts what a command that works on the SQLite file answers there: exit 2, one line on stderr without
 * the password, matching `hint` (the pg_dump or pg_restore command to run instead), and nothing written.
 */
export async function assertPostgresHint(
  t: { after: (fn: () => Promise<void>) => void },
  args: string[],
  hint: RegExp,
): Promise<void> {
  const dir = await tempDir(t);
  const r = await runBin(
    args,
    {
      VOUCH_DATABASE_URL: 'postgres://vouch:s3cret@db.example:5432/vouch?sslmode=verify-full',
      VOUCH_DATABASE_SCHEMA: 'vouch',
      VOUCH_KEK_FILE: join(dir, 'kek'),
    },
    dir,
  );
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.ok(!r.err.includes('s3cret'), r.err);
  assert.match(r.err, hint);
  assert.deepEqual(await readdir(dir), []);
}

/**
 * Writes a stored identity `bot` (`did:identity:bot`, a fresh key, linked) under `vouchHome`, as `vouch agent create`
 * would, naming `server`; never registered there: tests use it where the server is theirs or is never reached.
 */
export async function writeStoredIdentity(vouchHome: string, server: string): Promise<void> {
  const key = await generateKeyPair('Ed25519');
  await mkdir(join(vouchHome, 'identities'), { recursive: true, mode: 0o700 });
  await writeFile(
    join(vouchHome, 'identities', 'bot.json'),
    JSON.stringify({
      version: 1,
      alias: 'bot',
      did: 'did:identity:bot',
      server,
      publicKey: formatPublicKey(key.publicKey, 'registry'),
      publicKeyBase64: 'AAAA',
      privateKeyPem: formatPrivateKey(key.privateKey, 'pem'),
      linked: true,
      createdAt: '2026-01-01T00:00:00.000Z',
    }),
    { mode: 0o600 },
  );
}
