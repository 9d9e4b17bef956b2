import type { Command } from 'commander';
import { checkIssuer, verifyRegistry } from '@vouch/sdk';
import { CliError, EXIT } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { print } from '../../output.ts';
import { parseTime } from './lib/duration.ts';
import { rootKeyFor } from './lib/key-files.ts';
import { DEFAULT_DIR, layout, readRegistry } from './lib/layout.ts';
import { formatVerification } from './lib/report.ts';

interface VerifyOptions {
  rootKey?: string;
  id?: string;
  format: string;
  dir: string;
  at?: string;
  lastSeen?: string;
  maxLifetime?: string;
}

function lastSeenOf(value: string): { sequence: number; chainHash: string } {
  const m = /^([1-9][0-9]*):([0-9a-f]{64})$/.exec(value);
  if (m === null) throw new CliError('--last-seen must be SEQUENCE:CHAIN_HASH (as verify prints them).', EXIT.USAGE);
  return { sequence: Number(m[1]), chainHash: m[2]! };
}

/**
 * `--max-lifetime` in seconds (undefined: any lifetime), read by the server's parser of
 * VOUCH_TRUST_REGISTRY_MAX_LIFETIME, so the two take the same forms; a usage error (exit 2) otherwise.
 */
async function maxLifetimeOf(value: string): Promise<number | undefined> {
  // Nothing is not "off" here: an empty value on a command line is a mistake, not a choice.
  if (value.trim() === '')
    throw new CliError('--max-lifetime must be whole seconds (120 to 316224000), 0 or off.', EXIT.USAGE);
  // Loaded only for this option: the server package is heavy, and verify needs only the SDK otherwise.
  const { ConfigError, parseRegistryMaxLifetime } = await import('@vouch/server');
  try {
    return parseRegistryMaxLifetime(value, '--max-lifetime');
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, EXIT.USAGE);
    throw err;
  }
}

/** `vouch registry verify`: every rule of docs/registry.md against the pinned root key; exit 0 only when valid. */
export function registerVerify(registry: Command, io: Io): void {
  registry
    .command('verify')
    .description('Verify registry.json (root signature, expiry, chain, quorum per step, replay, bounds).')
    .option(
      '--root-key <file|key>',
      'the pinned root public key, or a key file (default: $VOUCH_TRUST_REGISTRY_ROOT_KEY)',
    )
    .option('--id <issuer-id>', 'also require this issuer to be active, and show only its entry')
    .option('--format <format>', 'text or json', 'text')
    .option('--at <time>', 'verify as of this ISO-8601 time instead of now')
    .option('--last-seen <sequence:hash>', 'refuse a rollback from a registry seen before (rule 4)')
    .option(
      '--max-lifetime <duration>',
      'refuse a document valid for longer than this many seconds after it was signed (rule 1; 120 to 316224000, ' +
        'or 0/off, as VOUCH_TRUST_REGISTRY_MAX_LIFETIME)',
    )
    .option('--dir <dir>', 'registry directory', DEFAULT_DIR)
    .addHelpText(
      'after',
      `
Exit codes: 0 valid, 1 verification failed (each failure names its rule, step and issuer), 2 usage or input error.
Without --root-key (or VOUCH_TRUST_REGISTRY_ROOT_KEY) the document is checked against the root key it names
itself, which proves consistency but not origin: pin the key you obtained out of band.

Examples:
  $ vouch registry verify --root-key ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo
  $ vouch registry verify --root-key root.pub --id acme --format json
  $ vouch registry verify --root-key root.pub --max-lifetime 691200     # signed for at most 8 days`,
    )
    .action(async (opts: VerifyOptions) => {
      if (opts.format !== 'text' && opts.format !== 'json')
        throw new CliError('--format must be text or json.', EXIT.USAGE);
      const maxLifetimeSeconds = opts.maxLifetime === undefined ? undefined : await maxLifetimeOf(opts.maxLifetime);
      const doc = await readRegistry(layout(opts.dir));
      const { rootKey, pinned } = await rootKeyFor(doc, opts.rootKey);
      const now = opts.at !== undefined ? parseTime(opts.at, '--at') : new Date();
      const report = await verifyRegistry(doc, {
        rootKey,
        now,
        ...(opts.lastSeen !== undefined ? { lastSeen: lastSeenOf(opts.lastSeen) } : {}),
        ...(maxLifetimeSeconds !== undefined ? { maxLifetimeSeconds } : {}),
      });
      const issuer = opts.id !== undefined && report.valid ? checkIssuer(doc, opts.id) : undefined;
      print(io, opts.format === 'json', { ...report, rootKeyPinned: pinned, ...(issuer ? { issuer } : {}) }, () => {
        let text = formatVerification(report, { pinned, ...(opts.id !== undefined ? { id: opts.id } : {}) });
        if (issuer !== undefined && issuer.status !== 'active') text += `\n${opts.id} is ${issuer.status}`;
        return text;
      });
      if (!report.valid) throw new CliError('the registry does not verify.', EXIT.VERIFICATION_FAILED);
      if (issuer !== undefined && issuer.status !== 'active') {
        throw new CliError(`issuer ${opts.id} is ${issuer.status}.`, EXIT.VERIFICATION_FAILED);
      }
    });
}
