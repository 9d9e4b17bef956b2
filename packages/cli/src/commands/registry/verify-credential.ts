import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isAction, isResourcePattern, isVouchError, verifyAgentCredential, verifyRegistry } from '@vouch/sdk';
import { CliError, EXIT } from '../../exit.ts';
import { readFileUpTo } from '@vouch/server/files';
import { compactToken, sizeText, utf8Text } from '../../read.ts';
import type { Io } from '../../output.ts';
import { field, print } from '../../output.ts';
import { parseTime } from './lib/duration.ts';
import { rootKeyFor } from './lib/key-files.ts';
import { DEFAULT_DIR, layout, readRegistry, shown } from './lib/layout.ts';

interface VerifyCredentialOptions {
  rootKey?: string;
  agent?: string;
  resource?: string;
  action?: string;
  at?: string;
  format: string;
  dir: string;
}

// A credential is a compact JWS of a few kilobytes.
const MAX_CREDENTIAL_BYTES = 16 * 1024;

/**
 * The credential itself, or the content of a file that holds it: a regular file, or a pipe or device path
 * (`<(…)`, /dev/stdin). At most {@link MAX_CREDENTIAL_BYTES} + 1 bytes are read, so /dev/zero or a huge file ends
 * promptly; a directory is not a file (the argument is taken as the credential, as any string that names no file).
 */
async function credentialArg(value: string): Promise<string> {
  const path = resolve(value);
  const isInput = await stat(path).then(
    (s) => !s.isDirectory(),
    () => false,
  );
  if (!isInput) return value.trim();
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileUpTo(path, MAX_CREDENTIAL_BYTES);
  } catch (err) {
    throw new CliError(`${shown(path)}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  if (bytes === undefined) {
    throw new CliError(`${shown(path)}: more than ${sizeText(MAX_CREDENTIAL_BYTES)}, too large to be a credential.`);
  }
  // Not replaced by U+FFFD and verified: a file that is not text is a wrong input (exit 2), not a failed verification.
  const text = utf8Text(bytes);
  if (text === undefined) throw new CliError(`${shown(path)}: not a UTF-8 text file.`);
  return compactToken(text);
}

/** `vouch registry verify-credential`: the registry first (every rule), then the credential against it. */
export function registerVerifyCredential(registry: Command, io: Io): void {
  registry
    .command('verify-credential')
    .description(
      'Verify an agent credential against the registry: issuer active, its current key, expiry, agent, scope.',
    )
    .argument('<credential>', 'the credential (compact JWS) or a file holding it')
    .option('--root-key <file|key>', 'the pinned registry root key (default: $VOUCH_TRUST_REGISTRY_ROOT_KEY)')
    .option('--agent <agent-id>', 'require this agent (the credential `sub`)')
    .option('--resource <resource>', 'require the scope to allow this resource (with --action)')
    .option('--action <action>', 'require the scope to allow this action (with --resource)')
    .option('--at <time>', 'verify as of this ISO-8601 time instead of now')
    .option('--format <format>', 'text or json', 'text')
    .option('--dir <dir>', 'registry directory', DEFAULT_DIR)
    .addHelpText(
      'after',
      `
Exit codes: 0 valid, 1 the registry or the credential does not verify (the code says why: UNKNOWN_ISSUER,
ISSUER_REVOKED, CREDENTIAL_INVALID, CREDENTIAL_EXPIRED, SUBJECT_MISMATCH, SCOPE_VIOLATION), 2 usage error.

Examples:
  $ vouch registry verify-credential cred.jwt --root-key ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo
  $ vouch registry verify-credential cred.jwt --agent agent:bot --resource payments:invoices --action read --format json`,
    )
    .action(async (value: string, opts: VerifyCredentialOptions) => {
      if (opts.format !== 'text' && opts.format !== 'json') {
        throw new CliError('--format must be text or json.', EXIT.USAGE);
      }
      if ((opts.resource === undefined) !== (opts.action === undefined)) {
        throw new CliError('--resource and --action go together.', EXIT.USAGE);
      }
      // What the verifier would answer SCOPE_VIOLATION for (exit 1) whatever the credential: a wrong command line.
      if (opts.resource !== undefined && !isResourcePattern(opts.resource)) {
        throw new CliError(
          `--resource ${JSON.stringify(opts.resource)} is not a resource (seg:seg..., * only as the last segment).`,
          EXIT.USAGE,
        );
      }
      if (opts.action !== undefined && !isAction(opts.action)) {
        throw new CliError(`--action ${JSON.stringify(opts.action)} is not an action (one segment, or *).`, EXIT.USAGE);
      }
      const credential = await credentialArg(value);
      const doc = await readRegistry(layout(opts.dir));
      const { rootKey, pinned } = await rootKeyFor(doc, opts.rootKey);
      const now = (opts.at !== undefined ? parseTime(opts.at, '--at') : new Date()).getTime();
      const report = await verifyRegistry(doc, { rootKey, now });
      if (!report.valid) {
        const first = report.failures[0];
        print(
          io,
          opts.format === 'json',
          { valid: false, code: first?.code, error: first?.message },
          () => `registry does not verify: ${first?.code}: ${first?.message}`,
        );
        throw new CliError('the registry does not verify.', EXIT.VERIFICATION_FAILED);
      }
      try {
        const v = await verifyAgentCredential(credential, {
          registry: doc,
          now,
          ...(opts.agent !== undefined ? { agentId: opts.agent } : {}),
          ...(opts.resource !== undefined ? { resource: opts.resource, action: opts.action } : {}),
        });
        const out = {
          valid: true,
          rootKeyPinned: pinned,
          registrySequence: doc.sequence,
          issuer: v.issuer.id,
          issuerKeyThumbprint: v.issuerKeyThumbprint,
          hash: v.hash,
          claims: v.claims,
        };
        print(io, opts.format === 'json', out, () =>
          [
            // Values from the credential, each inside a line: field(), not only the whole-output filter.
            `valid: credential from ${field(v.claims.iss)} for ${field(v.claims.sub)}`,
            `expires ${new Date(v.claims.exp * 1000).toISOString()}`,
            `scope: ${v.claims.scope?.map(field).join(', ') ?? '(any)'}`,
            ...(v.claims.cnf ? ['binds the agent key (tokens need its proof)'] : []),
            `registry sequence ${doc.sequence}${pinned ? '' : ' (root key not pinned)'}`,
          ].join('\n'),
        );
      } catch (err) {
        if (!isVouchError(err)) throw err;
        print(
          io,
          opts.format === 'json',
          { valid: false, code: err.code, error: err.message },
          () => `invalid: ${err.code}: ${field(err.message)}`, // it may quote the credential (a claim name)
        );
        throw new CliError(`the credential does not verify (${err.code}).`, EXIT.VERIFICATION_FAILED);
      }
    });
}
