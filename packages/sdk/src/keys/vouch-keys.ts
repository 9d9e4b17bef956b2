// The keys of a Vouch server's `/.well-known/vouch-keys.json`, read as untrusted input: the list comes off the
// network, so offline verifiers (capability tokens, tool manifests) skip whatever is not a key object of theirs.

/**
 * The Ed25519 keys of `purpose` in a fetched key list. Entries that are not objects (`null`, `1`), keys of another
 * purpose or type, and a `keys` that is not a list are skipped, never read (a TypeError out of the verifier).
 */
export function ed25519KeysOf(doc: unknown, purpose: string): Array<Record<string, unknown>> {
  const keys = (doc as { keys?: unknown } | null | undefined)?.keys;
  if (!Array.isArray(keys)) return [];
  return keys.filter((k): k is Record<string, unknown> => {
    if (typeof k !== 'object' || k === null) return false;
    const jwk = k as Record<string, unknown>;
    return jwk.purpose === purpose && jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  });
}
