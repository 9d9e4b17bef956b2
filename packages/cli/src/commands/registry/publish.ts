import { resolve } from 'node:path';
import type { Command } from 'commander';
import { verifyRegistry, type GenesisStep } from '@vouch/sdk';
import { CliError, EXIT } from '../../exit.ts';
import { AnswerNotUtf8Error, NO_REDIRECT, readAnswer, refuseRedirect, unreachable } from '../../net.ts';
import type { Io } from '../../output.ts';
import { field } from '../../output.ts';
import { secretOption, sendableKey } from '../../secrets.ts';
import { DEFAULT_DIR, layout, readRegistry } from './lib/layout.ts';
import { failureLine } from './lib/report.ts';
import { DEFAULT_SERVER, MAX_ERROR_CHARS, serverBase, shownCode } from '../token/http.ts';

/** The route `vouch registry publish` calls (docs/registry.md "Publishing to a server"). */
export const PUBLISH_PATH = '/v1/registry/genesis';
const TIMEOUT_MS = 30_000;

// Error codes with which the server says the document failed verification (exit 1 rather than 2).
const VERIFICATION_CODES = new Set([
  'REGISTRY_SIGNATURE_INVALID',
  'REGISTRY_ROOT_MISMATCH',
  'REGISTRY_EXPIRED',
  'REGISTRY_CHAIN_BROKEN',
  'REGISTRY_STEP_INVALID',
  'QUORUM_NOT_MET',
  'REGISTRY_REPLAY_MISMATCH',
  'REGISTRY_ROLLBACK',
  'REGISTRY_THRESHOLD_INVALID',
]);

/** `vouch registry publish [DIR]`: uploads a CLI-built registry to a Vouch authority server. */
export function registerPublish(registry: Command, io: Io): void {
  secretOption(
    registry
      .command('publish')
      .description('Upload a registry built by the CLI to a Vouch server that holds the same root key.')
      .argument('[dir]', 'registry directory (default: --dir, ./registry)')
      .option('--dir <dir>', 'registry directory', DEFAULT_DIR)
      .option('--server <url>', `server base URL (default: $VOUCH_SERVER or ${DEFAULT_SERVER})`),
    'admin',
  )
    .addHelpText(
      'after',
      `
Sends POST ${PUBLISH_PATH} with {"document": <registry.json>} and the admin key as x-api-key. The server
verifies the document with its own registry root key (import the CLI's root key file with
VOUCH_REGISTRY_ROOT_KEY_FILE) and accepts it once, as its genesis.

Examples:
  $ vouch registry publish ./registry --server https://vouch.example   # admin key from $VOUCH_ADMIN_KEY
  $ vouch registry publish --dir ./trust --server http://127.0.0.1:4100 --admin-key-file data/admin.key`,
    )
    .action(async (dirArg: string | undefined, opts: { dir: string; server?: string; adminKey?: string }, cmd) => {
      // Both named and different: publishing either one could upload the wrong genesis, which the server keeps.
      if (dirArg !== undefined && cmd.getOptionValueSource('dir') === 'cli' && resolve(dirArg) !== resolve(opts.dir)) {
        throw new CliError(
          `two registry folders given: ${field(dirArg)} and --dir ${field(opts.dir)}; name one.`,
          EXIT.USAGE,
        );
      }
      const doc = await readRegistry(layout(dirArg ?? opts.dir));
      // Refuse locally what the server would refuse anyway (against the root key the document names).
      const local = await verifyRegistry(doc, { rootKey: (doc.governance[0] as GenesisStep).rootKey, now: new Date() });
      if (!local.valid) {
        throw new CliError(
          `the registry does not verify:\n  ${local.failures.map(failureLine).join('\n  ')}`,
          EXIT.VERIFICATION_FAILED,
        );
      }
      // The server base as every other command takes it: http(s) only, and a path prefix (`https://host/vouch`) kept
      // (resolving the absolute route against it would drop the prefix and post the admin key elsewhere).
      const url = new URL(`${serverBase({ server: opts.server })}${PUBLISH_PATH}`);
      const adminKey = opts.adminKey ?? process.env.VOUCH_ADMIN_KEY;
      if (adminKey === undefined || adminKey === '')
        throw new CliError('VOUCH_ADMIN_KEY or --admin-key-file is required.', EXIT.USAGE);
      if (opts.adminKey === undefined) sendableKey(adminKey, '$VOUCH_ADMIN_KEY');
      let res: Response;
      try {
        res = await fetch(url, {
          ...NO_REDIRECT,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
          body: JSON.stringify({ document: doc }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (err) {
        throw unreachable(url.origin, err);
      }
      refuseRedirect(res, url.href);
      let body: { error?: string; code?: string; sequence?: number; chainHash?: string } = {};
      try {
        body = (JSON.parse(await readAnswer(res, url.href)) as typeof body | null) ?? {};
      } catch (err) {
        // A body that is not JSON (or not UTF-8) is ignored: the status says whether it was published.
        if (err instanceof CliError && !(err instanceof AnswerNotUtf8Error)) throw err;
      }
      if (res.ok) {
        const sequence = field(body.sequence ?? doc.sequence);
        io.out(`published registry ${doc.registry} sequence ${sequence} to ${url.origin} (${res.status})`);
        return;
      }
      const code = typeof body.code === 'string' ? body.code : `HTTP_${res.status}`;
      // Cut as every refusal is (refusalText): an answer may be up to 16 MiB. A message that is no string is none.
      const said = typeof body.error === 'string' ? body.error.slice(0, MAX_ERROR_CHARS) : res.statusText;
      const message = `${url.origin} refused the registry (${res.status} ${shownCode(code)}): ${field(said)}`;
      throw new CliError(message, VERIFICATION_CODES.has(code) ? EXIT.VERIFICATION_FAILED : EXIT.USAGE);
    });
}
