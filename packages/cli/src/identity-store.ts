// Agent identities on disk: `$VOUCH_HOME/identities/<alias>.json` (default `~/.vouch`), one file per agent holding its
// private key. Files are 0600 and the folders 0700; a file is written under a temporary name and linked into place,
// so it is either absent or whole, and an existing alias is never overwritten.
import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parsePrivateKey } from '@vouch/sdk';
import type { PrivateKey } from '@vouch/sdk';
import {
  createFileWhole,
  FileReadError,
  readFileUpTo,
  readFileUpToWithStats,
  replaceFileWhole,
} from '@vouch/server/files';
import { checkKeyFile } from './file-mode.ts';
import type { Io } from './output.ts';
import { CliError, EXIT } from './exit.ts';
import { sizeText, utf8Text } from './read.ts';

// An identity file or config.json is a kilobyte or two: more is not one (and /dev/zero is never read whole).
const MAX_STORE_FILE_BYTES = 64 * 1024;

/** The `version` of the identity files this CLI writes, and the only one it reads. */
export const IDENTITY_VERSION = 1;

/** One agent identity as stored. `privateKeyPem` and `claimToken` are secrets: never print them. */
export interface StoredIdentity {
  version: typeof IDENTITY_VERSION;
  alias: string;
  /** `did:identity:…`, as the server registered it. */
  did: string;
  /** The server the agent registered with (its base URL). */
  server: string;
  label?: string;
  /** `ed25519:<base64url>`. */
  publicKey: string;
  /** Standard base64 of the 32 raw bytes (the identity.app form). */
  publicKeyBase64: string;
  /** PKCS#8 PEM of the Ed25519 private key. */
  privateKeyPem: string;
  /** Whether a linking key tied it to an owner at registration. */
  linked: boolean;
  /** Given by the server when not linked: an owner claims the agent with it (single use). */
  claimToken?: string;
  createdAt: string;
}

const PUBLIC_MEMBERS = [
  'alias',
  'did',
  'server',
  'label',
  'publicKey',
  'publicKeyBase64',
  'linked',
  'createdAt',
] as const satisfies ReadonlyArray<keyof StoredIdentity>;

/** What may be shown of an identity: the members the CLI writes, but the secrets and the version. */
export type PublicIdentity = Omit<StoredIdentity, 'privateKeyPem' | 'claimToken' | 'version'>;

const ALIAS = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

export function publicView(id: StoredIdentity): PublicIdentity {
  // Named one by one, not "all but the secrets": a hand-edited file may hold other members (a pasted private JWK, a
  // management token), and --json output is piped and logged.
  const view: Record<string, unknown> = {};
  // In the order the CLI writes them; a member the file lacks (a label) stays absent.
  for (const k of PUBLIC_MEMBERS) if (id[k] !== undefined) view[k] = id[k];
  return view as unknown as PublicIdentity;
}

/** `$VOUCH_HOME`, else `~/.vouch`. */
export function vouchHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.VOUCH_HOME;
  return home !== undefined && home !== '' ? home : join(homedir(), '.vouch');
}

export function identitiesDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(vouchHome(env), 'identities');
}

/** An alias names a file, so it is restricted to letters, digits, `-` and `_` (no path can hide in it). */
export function checkAlias(alias: string): string {
  if (!ALIAS.test(alias)) {
    throw new CliError(`alias "${alias}" must be 1-64 letters, digits, - or _, starting with a letter or digit.`);
  }
  return alias;
}

function identityFile(alias: string, env: NodeJS.ProcessEnv): string {
  return join(identitiesDir(env), `${checkAlias(alias)}.json`);
}

/** The file that holds the identity `alias`. */
export function identityPath(alias: string, env: NodeJS.ProcessEnv = process.env): string {
  return identityFile(alias, env);
}

async function ensureDirs(env: NodeJS.ProcessEnv): Promise<void> {
  // Folders created here are 0700 (the umask only takes bits away). An existing $VOUCH_HOME keeps its mode: it is
  // the user's folder, possibly $HOME or /tmp, whose sticky bit and access others rely on. identities/, which holds
  // the keys, is the CLI's own and is tightened whatever it was.
  await mkdir(identitiesDir(env), { recursive: true, mode: 0o700 });
  await chmod(identitiesDir(env), 0o700);
}

function ioError(what: string, err: unknown): CliError {
  return new CliError(`cannot ${what}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
}

/** Whether an alias is already taken (checked before anything is registered). */
export async function identityExists(alias: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  try {
    await stat(identityFile(alias, env));
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the name of alias's file is taken, by an identity or by anything else (a symbolic link to nothing, whose
 * target stat() does not find, still takes the name: the file cannot be created in its place). `vouch agent create`
 * asks before it registers: a taken name found only after would leave the server a DID no one holds the key of.
 */
export async function aliasTaken(alias: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  try {
    await lstat(identityFile(alias, env));
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the identity folders (0700), or fails (exit 2) naming them. `vouch agent create` calls it before it
 * registers anything: a key the folder cannot take would leave the server a DID no one holds the key of.
 */
export async function prepareIdentityStore(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await ensureDirs(env).catch((err: unknown) => {
    throw ioError(`create ${identitiesDir(env)}`, err);
  });
}

/** Writes a new identity; refuses (exit 2) if the alias exists. */
export async function saveIdentity(identity: StoredIdentity, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  await prepareIdentityStore(env);
  const file = identityFile(identity.alias, env);
  let created: boolean;
  try {
    // Refuses an existing file (an alias is never overwritten), and the file appears whole or not at all (created
    // directly without hard links: no one reads it while it is written).
    created = await createFileWhole(file, `${JSON.stringify(identity, null, 2)}\n`, 0o600, {
      createWithoutHardLinks: true,
    });
  } catch (err) {
    throw ioError(`write ${file}`, err);
  }
  if (!created) throw new CliError(`an identity named "${identity.alias}" already exists (${file}).`);
  return file;
}

function parseIdentity(text: string, file: string): StoredIdentity {
  let v: Partial<StoredIdentity>;
  try {
    v = JSON.parse(text) as Partial<StoredIdentity>;
  } catch {
    throw new CliError(`${file} is not JSON.`);
  }
  // `null` and other non-objects have no members to check (reading one would fail with a TypeError).
  if (typeof v !== 'object' || v === null) throw new CliError(`${file} is not a vouch identity (not an object).`);
  // Its members mean what they mean in the version this CLI writes: a file of another (a later vouch's) is not read.
  if (v.version !== IDENTITY_VERSION) {
    const found =
      v.version === undefined
        ? 'no version'
        : typeof v.version === 'number'
          ? `version ${String(v.version)}`
          : 'a version that is not a number';
    throw new CliError(
      `${file} is not a vouch identity this vouch reads (${found}; it reads version ${IDENTITY_VERSION}).`,
    );
  }
  for (const k of ['alias', 'did', 'server', 'publicKey', 'publicKeyBase64', 'privateKeyPem'] as const) {
    if (typeof v[k] !== 'string') throw new CliError(`${file} is not a vouch identity (no ${k}).`);
  }
  // Printed as they are (`label: ...`, --json): a hand-edited member of another type is no identity either.
  if (v.label !== undefined && typeof v.label !== 'string') {
    throw new CliError(`${file} is not a vouch identity (label is not a string).`);
  }
  if (v.linked !== undefined && typeof v.linked !== 'boolean') {
    throw new CliError(`${file} is not a vouch identity (linked is not true or false).`);
  }
  return v as StoredIdentity;
}

/**
 * Reads one identity by alias; a missing one is an input error naming `vouch agent create`. The identity is named by
 * its file, where `--alias` finds it: the `alias` member inside a copied or hand-edited file may name another.
 */
export async function readIdentity(alias: string, env: NodeJS.ProcessEnv = process.env): Promise<StoredIdentity> {
  return (await readIdentityWithStats(alias, env)).identity;
}

/** {@link readIdentity}, with the stat of the file read (taken on the handle it was read from). */
async function readIdentityWithStats(
  alias: string,
  env: NodeJS.ProcessEnv,
): Promise<{ identity: StoredIdentity; stats: Stats }> {
  const file = identityFile(alias, env);
  let read: { bytes: Buffer | undefined; stats: Stats };
  try {
    read = await readFileUpToWithStats(file, MAX_STORE_FILE_BYTES, { regularOnly: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError(`no identity named "${alias}" (create one with: vouch agent create --alias ${alias}).`);
    }
    if (err instanceof FileReadError && err.code === 'NOT_REGULAR') {
      throw new CliError(`${file} is not a vouch identity (it ${err.reason}).`);
    }
    throw ioError(`read ${file}`, err);
  }
  if (read.bytes === undefined) {
    throw new CliError(`${file} is not a vouch identity (more than ${sizeText(MAX_STORE_FILE_BYTES)}).`);
  }
  // As the CLI's other input files: without a leading BOM, and never with U+FFFD for bytes that are not UTF-8.
  const text = utf8Text(read.bytes);
  if (text === undefined) throw new CliError(`${file} is not a vouch identity (not UTF-8 text).`);
  return { identity: { ...parseIdentity(text, file), alias }, stats: read.stats };
}

/** Every stored identity, sorted by alias. Files that are not identities are skipped. */
export async function listIdentities(env: NodeJS.ProcessEnv = process.env): Promise<StoredIdentity[]> {
  let names: string[];
  try {
    names = await readdir(identitiesDir(env));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError(`read ${identitiesDir(env)}`, err);
  }
  const out: StoredIdentity[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.json') || !ALIAS.test(name.slice(0, -5))) continue;
    try {
      out.push(await readIdentity(name.slice(0, -5), env));
    } catch {
      // a damaged or foreign file: not listed
    }
  }
  return out;
}

interface StoreConfig {
  defaultAlias?: string;
}

function configFile(env: NodeJS.ProcessEnv): string {
  return join(vouchHome(env), 'config.json');
}

/** config.json that is there but cannot be read as one: reported naming the file, as a damaged identity file is. */
function damagedConfig(file: string, why: string): CliError {
  return new CliError(
    `${file} is not a vouch configuration (${why}): set the default again with "vouch agent use <alias>".`,
  );
}

/**
 * config.json's members: none when it is missing, or not a regular file (opened without blocking: a named pipe with
 * no writer would hold every command for ever; in a shared $VOUCH_HOME anyone may leave one). One that cannot be
 * read, is not JSON, not an object, over 64 KiB or whose defaultAlias is no alias is damaged: exit 2, naming it.
 */
async function readConfig(env: NodeJS.ProcessEnv): Promise<StoreConfig> {
  const file = configFile(env);
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileUpTo(file, MAX_STORE_FILE_BYTES, { regularOnly: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    if (err instanceof FileReadError && err.code === 'NOT_REGULAR') return {};
    throw ioError(`read ${file}`, err);
  }
  if (bytes === undefined) throw damagedConfig(file, `more than ${sizeText(MAX_STORE_FILE_BYTES)}`);
  const text = utf8Text(bytes);
  if (text === undefined) throw damagedConfig(file, 'not UTF-8 text');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw damagedConfig(file, 'not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw damagedConfig(file, 'not an object');
  }
  const alias = (parsed as StoreConfig).defaultAlias;
  if (alias !== undefined && (typeof alias !== 'string' || !ALIAS.test(alias))) {
    throw damagedConfig(file, 'defaultAlias is not an alias');
  }
  return parsed as StoreConfig;
}

/** The default alias from config.json, or undefined when there is none; a damaged config.json is an error. */
export async function defaultAlias(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return (await readConfig(env)).defaultAlias;
}

/**
 * Records the default alias: config.json replaced whole (replaceFileWhole: flushed before the rename, which unflushed
 * could leave it empty on disk after a crash, and the folder after it).
 */
export async function setDefaultAlias(alias: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  checkAlias(alias);
  // A folder it cannot make (a file in its place) is one line, as for `vouch agent create`, not a raw error.
  await prepareIdentityStore(env);
  // A damaged config.json is replaced: naming the default is what `vouch agent use` is for, and how one is repaired.
  const config = { ...(await readConfig(env).catch(() => ({}))), defaultAlias: alias };
  try {
    await replaceFileWhole(configFile(env), `${JSON.stringify(config, null, 2)}\n`, 0o600);
  } catch (err) {
    throw ioError(`write ${configFile(env)}`, err);
  }
}

/**
 * Makes `alias` the default if there is no config.json yet, by creating it (never replacing one): of concurrent first
 * `vouch agent create`s exactly one takes it, where each reading "no default" and renaming its own config.json into
 * place would let every one report itself the default. False when config.json exists (the caller reads it again).
 */
export async function claimFirstDefault(alias: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  checkAlias(alias);
  await prepareIdentityStore(env);
  try {
    return await createFileWhole(configFile(env), `${JSON.stringify({ defaultAlias: alias }, null, 2)}\n`, 0o600, {
      createWithoutHardLinks: true,
    });
  } catch (err) {
    throw ioError(`write ${configFile(env)}`, err);
  }
}

/**
 * The identity a command acts as: `--alias`, else `$VOUCH_AGENT`, else the default alias. With `io` (the command is
 * about to use its private key), its file is held to the server's key-file rule (see checkKeyFile).
 */
export async function resolveIdentity(
  alias: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  io?: Pick<Io, 'err'>,
): Promise<StoredIdentity> {
  const chosen = alias ?? (env.VOUCH_AGENT || undefined) ?? (await defaultAlias(env));
  if (chosen === undefined) {
    throw new CliError('no agent identity yet: create one with "vouch agent create" (or pass --alias).', EXIT.USAGE);
  }
  // The mode checked is that of the file read: the path, looked up again, may by then name another.
  const { identity, stats } = await readIdentityWithStats(chosen, env);
  if (io !== undefined) await checkKeyFile(identityFile(chosen, env), `identity ${chosen}`, io, stats);
  return identity;
}

/** The identity's private key, parsed. */
export function identityKey(identity: StoredIdentity): PrivateKey {
  try {
    return parsePrivateKey(identity.privateKeyPem, { type: 'Ed25519' });
  } catch {
    throw new CliError(`the identity "${identity.alias}" does not hold a usable Ed25519 private key.`);
  }
}
