// The registry directory (`--dir`, default ./registry) and how the registry commands read and write it:
//   registry.json          the signed document (served at /.well-known/agent-trust.json)
//   issuers/<id>.json      issuer entries: pending (collecting co-signatures) or mirroring the registry
//   proposals/*.json       governance proposals, pending or applied (build skips applied ones)
//   revoked/<id>.json      revocation records written by build
import type { Stats } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import {
  parseIssuerEntry,
  parseRegistryDocument,
  REGISTRY_LIMITS,
  type IssuerEntry,
  type RegistryDocument,
} from '@vouch/sdk';
import {
  clearCreateLeftovers,
  createFileWhole,
  readFileUpTo,
  readFileUpToWithStats,
  replaceFileWhole,
  type LeftoverWarn,
} from '@vouch/server/files';
import { CliError, EXIT } from '../../../exit.ts';
import { field } from '../../../output.ts';
import { sizeText } from '../../../read.ts';

export const DEFAULT_DIR = './registry';

export interface Layout {
  dir: string;
  registry: string;
  issuers: string;
  proposals: string;
  revoked: string;
}

export function layout(dir: string): Layout {
  const root = resolve(dir);
  return {
    dir: root,
    registry: join(root, 'registry.json'),
    issuers: join(root, 'issuers'),
    proposals: join(root, 'proposals'),
    revoked: join(root, 'revoked'),
  };
}

/** A path as the user would type it: relative to the working directory when inside it. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/**
 * Reads a file (at most `max` bytes, default the SDK's largest registry document), turning "not found", "too large"
 * and friends into a usage error that names it.
 */
export async function readBytes(
  path: string,
  what = 'file',
  max: number = REGISTRY_LIMITS.maxDocumentBytes,
): Promise<Uint8Array> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileUpTo(path, max);
  } catch (err) {
    throw readError(path, what, err);
  }
  return bytesOf(path, what, max, bytes);
}

/** {@link readBytes}, with the stat of the file read (for a key file's mode: checkKeyFile). */
export async function readBytesAndStats(
  path: string,
  what: string,
  max: number,
): Promise<{ bytes: Uint8Array; stats: Stats }> {
  let read: { bytes: Buffer | undefined; stats: Stats };
  try {
    read = await readFileUpToWithStats(path, max);
  } catch (err) {
    throw readError(path, what, err);
  }
  return { bytes: bytesOf(path, what, max, read.bytes), stats: read.stats };
}

function readError(path: string, what: string, err: unknown): CliError {
  const code = errno(err);
  if (code === 'ENOENT') return new CliError(`${shown(path)}: no such ${what}.`, EXIT.USAGE);
  return new CliError(`${shown(path)}: cannot read (${code ?? 'error'}).`, EXIT.USAGE);
}

function bytesOf(path: string, what: string, max: number, bytes: Buffer | undefined): Uint8Array {
  if (bytes === undefined) {
    throw new CliError(`${shown(path)}: more than ${sizeText(max)}, too large for a ${what}.`, EXIT.USAGE);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Whether `path` names something to read (not a directory); nothing of it is read. */
export async function exists(path: string): Promise<boolean> {
  try {
    return !(await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** `registry.json`, parsed strictly (errors name the file and the field). */
export async function readRegistry(l: Layout): Promise<RegistryDocument> {
  if (!(await exists(l.registry))) {
    throw new CliError(`${shown(l.registry)} not found; create the registry with \`vouch registry init\`.`, EXIT.USAGE);
  }
  return parseRegistryDocument(await readBytes(l.registry), { source: shown(l.registry) });
}

export async function readRegistryIfAny(l: Layout): Promise<RegistryDocument | undefined> {
  return (await exists(l.registry)) ? readRegistry(l) : undefined;
}

/**
 * The entry of an issuers/ file, which must be named `<id>.json` after it. The file's name is anyone's with write
 * access there: in a message, field() keeps it on its line.
 */
export async function readIssuerFile(path: string): Promise<IssuerEntry> {
  const entry = parseIssuerEntry(await readBytes(path), { source: field(shown(path)) });
  if (basename(path) !== `${entry.id}.json`) {
    throw new CliError(
      `${field(shown(path))}: id: is ${entry.id}, but the file must be named ${entry.id}.json.`,
      EXIT.USAGE,
    );
  }
  return entry;
}

/** The `*.json` files of a directory, sorted; none when it does not exist. */
export async function jsonFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(dir, f));
  } catch (err) {
    if (errno(err) === 'ENOENT') return [];
    throw new CliError(`${shown(dir)}: cannot list (${errno(err) ?? 'error'}).`, EXIT.USAGE);
  }
}

export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** How a file is written: see {@link writeText}. */
export interface WriteOptions {
  exclusive?: boolean;
  mode?: number;
  /**
   * First remove what a write of the same file killed midway left beside it, each named here (clearCreateLeftovers):
   * for a file holding a secret, whose temporary copy would otherwise stay for good.
   */
  warn?: LeftoverWarn;
}

/**
 * Writes JSON through a temporary file and a rename, so a reader never sees half a registry. `exclusive` refuses an
 * existing file (nothing is overwritten by accident), and links the temporary file into place instead.
 */
export async function writeJson(path: string, value: unknown, options: WriteOptions = {}): Promise<void> {
  await writeText(path, jsonText(value), options);
}

/**
 * Writes `text` to `path` whole: to a new temporary file beside it (created with `mode`), then renamed over it, so the
 * file always ends with `mode` (writeFile's mode applies only to a file it creates: overwriting an existing 0644
 * file with a secret would leave it readable). The text is flushed before the rename and the folder after it, so that
 * a crash after the command's success leaves the new file, not an empty one or the old one. `exclusive` refuses an
 * existing file instead (createFileWhole, just as durable); a failed write leaves no file either way.
 */
export async function writeText(path: string, text: string, options: WriteOptions = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const mode = options.mode ?? 0o644;
  const { warn } = options;
  let created = true;
  try {
    if (options.exclusive) {
      created = await createFileWhole(path, text, mode, {
        createWithoutHardLinks: true,
        ...(warn !== undefined ? { warn } : {}),
      });
    } else {
      if (warn !== undefined) await clearCreateLeftovers(path, warn);
      await replaceFileWhole(path, text, mode);
    }
  } catch (err) {
    throw new CliError(`${shown(path)}: cannot write (${errno(err) ?? 'error'}).`, EXIT.USAGE);
  }
  if (!created) throw new CliError(`${shown(path)} already exists; refusing to overwrite it.`, EXIT.USAGE);
}

export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
