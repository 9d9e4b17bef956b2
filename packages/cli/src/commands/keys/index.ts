import { Option } from 'commander';
import type { Command } from 'commander';
import type { Io } from '../../output.ts';
import { field, print } from '../../output.ts';
import { answerError, isObject } from '../../answer.ts';
import { adminHeaders, expectStatus, request, serverBase, serverOptions } from '../token/http.ts';
import type { ServerOptions } from '../token/http.ts';

interface KeyRow {
  kid: string;
  purpose: string;
  alg: string;
  generation: number;
  status: string;
  published: boolean;
  created_at: string;
  retired_at: string | null;
  drops_at: string | null;
}

interface Rotation {
  purpose: string;
  kid: string;
  generation: number;
  retired: string[];
  dropped?: string[];
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isTime = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

function isKeyRow(v: unknown): v is KeyRow {
  return (
    isObject(v) &&
    ['kid', 'purpose', 'alg', 'status'].every((f) => typeof v[f] === 'string') &&
    Number.isSafeInteger(v.generation) &&
    typeof v.published === 'boolean' &&
    isTime(v.created_at) &&
    isTime(v.retired_at) &&
    isTime(v.drops_at)
  );
}

/** The key list of a 200 answer; anything else (a proxy's JSON, a broken server) is said, not printed half. */
function keyRowsOf(status: number, body: unknown): KeyRow[] {
  const keys = isObject(body) ? body.keys : undefined;
  if (Array.isArray(keys) && keys.every(isKeyRow)) return keys;
  throw answerError('is not a key list', status);
}

/**
 * The rotation of a 201 answer: the operator must learn which key now signs and which stopped, or that it is unknown.
 * Only of the purpose asked for: another key's rotation must not read as that of a leaked one, which still signs.
 * With `compromised`, every retired key must be among the dropped ones: one that is not still verifies (its grace).
 */
function rotationOf(status: number, body: unknown, purpose: string, compromised: boolean): Rotation {
  if (
    isObject(body) &&
    typeof body.kid === 'string' &&
    Number.isSafeInteger(body.generation) &&
    isStrings(body.retired) &&
    (body.dropped === undefined || isStrings(body.dropped))
  ) {
    if (body.purpose !== purpose) {
      throw answerError(
        `does not say the ${purpose} key was rotated; run vouch keys list to see whether it was`,
        status,
      );
    }
    const dropped = body.dropped;
    if (compromised && (dropped === undefined || !body.retired.every((k) => dropped.includes(k)))) {
      throw answerError(
        `does not say the previous ${purpose} keys were dropped; run vouch keys list to see whether they were`,
        status,
      );
    }
    return body as unknown as Rotation;
  }
  throw answerError('is not a key rotation; run vouch keys list to see whether the key was rotated', status);
}

/** `vouch keys list|rotate`: the server's signing keys, over the admin API. */
export function registerKeys(program: Command, io: Io): void {
  const keys = program
    .command('keys')
    .description("The server's signing keys: list them, rotate one (admin).")
    .addHelpText(
      'after',
      `
Examples:
  $ vouch keys list --admin-key-file data/admin.key
  $ VOUCH_ADMIN_KEY=... vouch keys rotate`,
    );

  serverOptions(keys.command('list').description('List the signing keys (public halves) and their status.'), ['admin'])
    .addHelpText(
      'after',
      `
Examples:
  $ vouch keys list --admin-key-file data/admin.key
  $ VOUCH_SERVER=https://vouch.example vouch keys list --json`,
    )
    .action(async (opts: ServerOptions) => {
      const res = await request(serverBase(opts), 'GET', '/api/v1/admin/keys', undefined, adminHeaders(opts));
      expectStatus(res, [200]);
      const rows = keyRowsOf(res.status, res.body);
      print(io, opts.json === true, { keys: rows }, () =>
        rows
          .map((k) => {
            // Retired token and capability keys leave their key lists at drops_at; retired tool-manifest keys stay
            // published (no drops_at).
            const until =
              k.status !== 'retired'
                ? ''
                : !k.published
                  ? ' (unpublished)'
                  : k.drops_at
                    ? ` until ${field(k.drops_at)}`
                    : '';
            return `${field(k.purpose)} #${k.generation} ${field(k.alg)} ${field(k.status)}${until}  ${field(k.kid)}`;
          })
          .join('\n'),
      );
    });

  serverOptions(
    keys
      .command('rotate')
      .description(
        'Make a new active signing key; the previous key is retired and stays published (token keys until every ' +
          'token it signed has expired, capability keys until no token they signed can be live, about a day, ' +
          'tool-manifest keys for good).',
      )
      .addOption(
        new Option('--purpose <purpose>', 'which key')
          .choices(['tokens', 'capability', 'tool-manifest'])
          .default('tokens'),
      )
      .option(
        '--compromised',
        'a token or capability key leaked: drop the previous key of that purpose and every earlier retired one at ' +
          'once (no grace); every token they signed stops verifying (not for tool-manifest keys)',
      ),
    ['admin'],
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch keys rotate --admin-key-file data/admin.key
  $ vouch keys rotate --purpose capability --admin-key-file data/admin.key
  $ vouch keys rotate --compromised --admin-key-file data/admin.key
  $ vouch keys rotate --purpose capability --compromised --admin-key-file data/admin.key
  $ VOUCH_ADMIN_KEY=... vouch keys rotate --server https://vouch.example --json`,
    )
    .action(async (opts: ServerOptions & { purpose: string; compromised?: boolean }) => {
      const res = await request(
        serverBase(opts),
        'POST',
        '/api/v1/admin/keys/rotate',
        { purpose: opts.purpose, ...(opts.compromised === true ? { compromised: true } : {}) },
        adminHeaders(opts),
      );
      expectStatus(res, [201]);
      const r = rotationOf(res.status, res.body, opts.purpose, opts.compromised === true);
      const dropped = r.dropped ?? [];
      // A compromised rotation drops earlier retired keys too (their tokens stop verifying): every one is named.
      print(io, opts.json === true, r, () =>
        [
          `new active key #${r.generation}: ${field(r.kid)}`,
          ...r.retired.filter((k) => !dropped.includes(k)).map((k) => `retired: ${field(k)}`),
          ...dropped.map((k) => `dropped: ${field(k)}`),
        ].join('\n'),
      );
    });

  for (const c of keys.commands) {
    c.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }).exitOverride();
  }
}
