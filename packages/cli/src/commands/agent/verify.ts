// `vouch agent verify`: look a signature up (GET /api/v1/signatures/verify) and, with --file, check the content
// here with the SDK's verifyContent (SHA-256, the record's hash, the agent's Ed25519 signature, revocation) and
// certify it with the server (POST /api/v1/signatures/certify), which counts the certification.
import type { Command } from 'commander';
import { sha256Hex, verifyContent, VouchApiError } from '@vouch/sdk';
import type { SignatureRecord, VerifyContentOptions } from '@vouch/sdk';
import { answerError, answerOf, isMillis, isObject } from '../../answer.ts';
import { CliError, EXIT } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { field, print } from '../../output.ts';
import { defaultAlias, readIdentity } from '../../identity-store.ts';
import type { StoredIdentity } from '../../identity-store.ts';
import { DEFAULT_SERVER, serverBase } from '../token/http.ts';
import { agentOptions, callServer, checkHash, clientFor, identityServer, readInput } from './common.ts';
import type { AgentOptions } from './common.ts';

interface VerifyOptions extends AgentOptions {
  file?: string;
}

/**
 * Verifying acts as no identity: `--server`, else `$VOUCH_SERVER`, else the default identity's server (a verifier
 * usually checks against its own), else the default URL.
 */
async function verifyServer(opts: AgentOptions): Promise<string> {
  if (opts.server !== undefined || (process.env.VOUCH_SERVER ?? '') !== '') return serverBase(opts);
  // A damaged config.json, like a damaged default identity, leaves the default URL.
  const alias = await defaultAlias().catch(() => undefined);
  const identity: StoredIdentity | undefined =
    alias === undefined ? undefined : await readIdentity(alias).catch(() => undefined);
  return serverBase({}, identity === undefined ? undefined : identityServer(identity));
}

/**
 * The human form of the answer; its first line states `valid`, the verdict --json answers and the exit code carries
 * (not the record's own `valid`, which the server keeps true for a revoked signer).
 */
function describe(
  sig: SignatureRecord,
  check: { code?: string; match?: boolean; contentHash?: string },
  valid: boolean,
): string {
  const who = sig.agent.publicName ? `${field(sig.agent.publicName)} (${field(sig.agent.did)})` : field(sig.agent.did);
  const lines = [
    `${valid ? 'valid' : 'NOT valid'} signature by ${who}, signed ${new Date(sig.signedAt).toISOString()}`,
    `payload sha256: ${field(sig.payloadHash)}`,
  ];
  if (sig.publicNote) lines.push(`note: ${field(sig.publicNote)}`);
  if (sig.agent.status !== 'active') lines.push(`agent status: ${field(sig.agent.status)}`);
  if (sig.owner) lines.push(`owner: ${field(sig.owner.name)} (@${field(sig.owner.handle)})`);
  if (check.match === true) lines.push(`content matches (sha256 ${check.contentHash})`);
  if (check.match === false) lines.push(`content does NOT match (sha256 ${check.contentHash})`);
  if (check.code !== undefined && check.code !== 'CONTENT_MISMATCH') lines.push(`check failed: ${check.code}`);
  return lines.join('\n');
}

/** Absent, null or a string: an optional text member of a record. */
const isOptionalText = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

/**
 * The signature record of a verify answer, or exit 2: the verdict is taken from `valid` only when it is a boolean
 * (`"valid": "false"` is a truthy string), and the record must name its agent and when it was signed (a time a Date
 * holds). The optional members describe() prints (the public name, the note, the owner) are of their types too, or
 * they would print as "undefined" or "[object Object]".
 */
function recordOf(body: unknown): SignatureRecord {
  const agent = isObject(body) ? body.agent : undefined;
  const owner = isObject(body) ? body.owner : undefined;
  if (
    isObject(body) &&
    typeof body.valid === 'boolean' &&
    isMillis(body.signedAt) &&
    typeof body.payloadHash === 'string' &&
    isOptionalText(body.publicNote) &&
    isObject(agent) &&
    typeof agent.did === 'string' &&
    typeof agent.status === 'string' &&
    isOptionalText(agent.publicName) &&
    (owner === undefined ||
      owner === null ||
      (isObject(owner) && typeof owner.name === 'string' && typeof owner.handle === 'string'))
  ) {
    return body as unknown as SignatureRecord;
  }
  throw answerError('is not a signature record');
}

export function registerVerify(agent: Command, io: Io): void {
  agentOptions(
    agent
      .command('verify')
      .description(
        'Verify a signature hash: who signed, when, and (--file) whether the content is what was signed, checked ' +
          "here (hash and the agent's Ed25519 signature) and certified with the server. Exit 0 when valid (and " +
          'matching), 1 when unknown, not valid, revoked or the content differs.',
      )
      .argument('<hash>', 'the signature hash (64 hex digits) that `vouch agent sign` printed')
      .option('--file <file>', 'content to check against the signature (- for standard input)'),
    false,
    `$VOUCH_SERVER, then the default identity's server, then ${DEFAULT_SERVER}`,
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch agent verify "$(cat report.sig)" --file report.pdf
  $ vouch agent verify 3f5c…e1 --server https://vouch.example --json`,
    )
    .action(async (hashArg: string, opts: VerifyOptions) => {
      const hash = checkHash(hashArg, 'the signature hash');
      const base = await verifyServer(opts);
      const content = opts.file === undefined ? undefined : await readInput(opts.file);
      const client = clientFor(base);

      let sig: SignatureRecord;
      try {
        sig = recordOf(await client.signatures.verify(hash));
      } catch (err) {
        // Only the server's NOT_FOUND is an unknown signature: a 404 page without it (a wrong --server or path
        // prefix, a proxy) asked no Vouch server, and must not read as a failed verification.
        const unknown = err instanceof VouchApiError && err.status === 404 && err.code === 'NOT_FOUND';
        if (!unknown) return callServer(base, () => Promise.reject(err));
        print(io, opts.json === true, { valid: false, signatureHash: hash, code: 'NOT_FOUND' }, () => {
          return `unknown signature ${hash}`;
        });
        throw new CliError(`no signature ${hash} on ${base}.`, EXIT.VERIFICATION_FAILED);
      }

      // The server keeps `valid: true` for a revoked agent's recorded signatures (they verified when recorded); the
      // CLI's verdict is a failed verification then, with or without --file (verifyContent says AGENT_REVOKED too).
      let check: { valid: boolean; code?: string; match?: boolean; contentHash?: string } =
        sig.agent.status === 'revoked' ? { valid: false, code: 'AGENT_REVOKED' } : { valid: sig.valid };
      if (content !== undefined) {
        const contentHash = await sha256Hex(content);
        const local = await verifyContent(hash, content, { record: sig as VerifyContentOptions['record'] });
        const certified: unknown = await callServer(base, () =>
          client.signatures.certify({ signatureHash: hash, contentHash }),
        );
        // The SDK hands back a success's body as it came: only a boolean `match` is the server's word on the content.
        const cert = answerOf<{ match: boolean }>(
          certified,
          (b) => typeof b.match === 'boolean',
          'is not a certification',
        );
        // Both this machine and the server must agree that the content is what was signed.
        const match = local.match === true && cert.match;
        check = { valid: local.valid && match, match, contentHash, ...(local.valid ? {} : { code: local.code }) };
      }
      const out = { ...sig, signatureHash: hash, ...check, valid: sig.valid && check.valid };
      print(io, opts.json === true, out, () => describe(sig, check, out.valid));
      if (!out.valid) {
        throw new CliError(
          check.match === false
            ? 'the content does not match the signature.'
            : `the signature does not hold (${check.code ?? 'NOT_VALID'}).`,
          EXIT.VERIFICATION_FAILED,
        );
      }
    });
}
