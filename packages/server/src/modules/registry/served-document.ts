// The registry document as served: its exact bytes and a strong ETag derived from them, computed once per document
// (the authority and the consumer hand out the same object until it changes), so a revalidation costs no
// serialization or hashing of a document that may be megabytes long.
import { createHash } from 'node:crypto';
import type { RegistryDocument } from '@vouch/sdk';

/** The bytes served for a document and their ETag (`"<base64url SHA-256 of the bytes>"`). */
export interface ServedDocument {
  body: string;
  etag: string;
}

const served = new WeakMap<RegistryDocument, ServedDocument>();

/** The bytes and ETag of `doc`, made on its first request. */
export function servedDocument(doc: RegistryDocument): ServedDocument {
  let s = served.get(doc);
  if (s === undefined) {
    const body = JSON.stringify(doc);
    s = { body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
    served.set(doc, s);
  }
  return s;
}
