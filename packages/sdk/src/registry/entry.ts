import { VouchError } from '../errors.ts';
import { formatPublicKey } from '../keys/format.ts';
import { isPublicKey, type PublicKey } from '../keys/key.ts';
import { readJson } from './lib/read-json.ts';
import { toIso } from './lib/time.ts';
import {
  array,
  ed25519PublicKey,
  ed25519Signature,
  httpsUrl,
  index,
  isoTime,
  issuerId,
  member,
  object,
  root,
  string,
  type At,
} from './lib/shape.ts';
import { REGISTRY_LIMITS } from './limits.ts';
import type { IssuerEntry, IssuerMetadata, IssuerSignature, UnsignedIssuerEntry } from './types.ts';

/** Where a value to validate came from, for error messages (`issuers/acme.json: metadata.url: ...`). */
export interface RegistrySourceOptions {
  /** A file name or other label; every error message starts with it. */
  source?: string;
}

const ENTRY_FIELDS = ['id', 'publicKey', 'endpoint', 'registeredAt', 'metadata'] as const;

function metadata(value: unknown, at: At): IssuerMetadata {
  const m = object(value, at, ['name', 'url', 'contact'], ['description']);
  string(m.name, member(at, 'name'), 200);
  httpsUrl(m.url, member(at, 'url'));
  string(m.contact, member(at, 'contact'), 320);
  if (m.description !== undefined) string(m.description, member(at, 'description'), 2000);
  return m as unknown as IssuerMetadata;
}

/** Internal: one `{issuerId, signature, signedAt}`; returns the signature bytes. */
export function checkSignature(value: unknown, at: At): Uint8Array {
  const s = object(value, at, ['issuerId', 'signature', 'signedAt']);
  issuerId(s.issuerId, member(at, 'issuerId'));
  isoTime(s.signedAt, member(at, 'signedAt'));
  return ed25519Signature(s.signature, member(at, 'signature'));
}

/** Internal: a `signatures` array. */
export function checkSignatures(value: unknown, at: At): IssuerSignature[] {
  const list = array(value, at, REGISTRY_LIMITS.maxSignatures);
  list.forEach((s, i) => checkSignature(s, index(at, i)));
  return list as IssuerSignature[];
}

function entryFields(e: Record<string, unknown>, at: At): void {
  issuerId(e.id, member(at, 'id'));
  ed25519PublicKey(e.publicKey, member(at, 'publicKey'));
  httpsUrl(e.endpoint, member(at, 'endpoint'));
  isoTime(e.registeredAt, member(at, 'registeredAt'));
  metadata(e.metadata, member(at, 'metadata'));
}

/** Internal: an entry at `at` (in a file, a step or a document). */
export function checkEntry(value: unknown, at: At): IssuerEntry {
  const e = object(value, at, [...ENTRY_FIELDS, 'signatures'], ['$schema']);
  entryFields(e, at);
  if (e.$schema !== undefined) string(e.$schema, member(at, '$schema'), 2048);
  checkSignatures(e.signatures, member(at, 'signatures'));
  return e as unknown as IssuerEntry;
}

/** Internal: an entry without `signatures` and `$schema`, as a proposal carries it. */
export function checkUnsignedEntry(value: unknown, at: At): UnsignedIssuerEntry {
  const e = object(value, at, ENTRY_FIELDS);
  entryFields(e, at);
  return e as unknown as UnsignedIssuerEntry;
}

/**
 * Checks that `value` is an issuer entry (docs/registry.md, `schemas/issuer.schema.json`) and returns it typed.
 * Unknown members are refused at every level, so nothing unsigned-looking can ride along. Does not check
 * signatures (that needs a registry state: `checkQuorum`). Throws `RegistryFormatError` (`REGISTRY_INVALID`)
 * naming the source and the field.
 *
 * @example
 * ```ts
 * const entry = validateIssuerEntry(JSON.parse(text), { source: 'issuers/acme.json' });
 * ```
 */
export function validateIssuerEntry(value: unknown, options: RegistrySourceOptions = {}): IssuerEntry {
  return checkEntry(value, root(options.source));
}

/**
 * Parses an issuer entry file with the SDK's strict JSON parser (duplicate keys, non-finite numbers and deep
 * nesting refused) and validates it. Throws `REGISTRY_INVALID` naming the source and the field.
 *
 * @example
 * ```ts
 * const entry = parseIssuerEntry(await readFile(path), { source: path });
 * ```
 */
export function parseIssuerEntry(input: string | Uint8Array, options: RegistrySourceOptions = {}): IssuerEntry {
  return validateIssuerEntry(readJson(input, options.source, REGISTRY_LIMITS.maxFileBytes), options);
}

/** The fields of a new issuer entry. */
export interface DraftIssuerEntryInput {
  id: string;
  /** The issuer's Ed25519 public key (an SDK key or `ed25519:<base64url>`). */
  publicKey: PublicKey | string;
  endpoint: string;
  name: string;
  contact: string;
  /** The organization's web site; defaults to the origin of `endpoint`. */
  url?: string;
  description?: string;
  /** Defaults to now. */
  registeredAt?: Date | string;
}

/**
 * Builds a new, unsigned issuer entry (`signatures: []`) and validates it, so a bad id or URL is refused before
 * anyone signs it. Throws `REGISTRY_INVALID` naming the field.
 *
 * @example
 * ```ts
 * const entry = draftIssuerEntry({
 *   id: 'acme', publicKey: pair.publicKeyRegistry!, endpoint: 'https://credentials.acme.example',
 *   name: 'Acme', contact: 'trust@acme.example',
 * });
 * ```
 */
export function draftIssuerEntry(input: DraftIssuerEntryInput): IssuerEntry {
  if (typeof input !== 'object' || input === null) {
    throw new VouchError('INVALID_ARGUMENT', 'draftIssuerEntry expects an object of entry fields.');
  }
  const publicKey = isPublicKey(input.publicKey) ? formatPublicKey(input.publicKey, 'registry') : input.publicKey;
  const registeredAt =
    input.registeredAt instanceof Date
      ? toIso(input.registeredAt, 'registeredAt')
      : (input.registeredAt ?? new Date().toISOString());
  let url = input.url;
  if (url === undefined) {
    try {
      url = new URL(input.endpoint).origin;
    } catch {
      url = input.endpoint; // validation below names the endpoint as the problem
    }
  }
  const metadata: IssuerMetadata = { name: input.name, url, contact: input.contact };
  if (input.description !== undefined) metadata.description = input.description;
  const entry: IssuerEntry = {
    id: input.id,
    publicKey,
    endpoint: input.endpoint,
    registeredAt,
    metadata,
    signatures: [],
  };
  return validateIssuerEntry(entry);
}
