// A database error's cause, made fit to print at start: connection and migration failures name what went wrong.
import { StorageError } from '../errors.ts';

/**
 * What went wrong, for a person at a terminal: the error's code (an errno such as ECONNREFUSED, or a SQLSTATE such as
 * 3D000 for a missing database) and its message, with the connection string and its password cut out (a malformed
 * URL's error may quote it).
 */
export function describeCause(err: unknown, url?: string): string {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  let message = typeof e.message === 'string' ? e.message : String(err);
  const secrets = [url, passwordOf(url)].filter((s): s is string => typeof s === 'string' && s.length > 0);
  for (const secret of secrets) message = message.split(secret).join('***');
  message = message.replace(/\s+/g, ' ').trim().slice(0, 300);
  if (typeof e.code !== 'string' || e.code.length === 0) return message;
  // Node's file errors name their code already ("ENOENT: no such file or directory, ..."): said once is enough.
  return message.startsWith(`${e.code}:`) ? message : `${e.code}: ${message}`;
}

function passwordOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const password = new URL(url).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}

/** The start-up refusal when PostgreSQL at `url` cannot be reached or refuses the connection, saying why. */
export function cannotConnect(err: unknown, url: string): StorageError {
  return new StorageError(
    'DATABASE_UNAVAILABLE',
    `Cannot connect to the PostgreSQL database (${describeCause(err, url)}).`,
    { cause: err },
  );
}

/** The refusal when the SQLite database `file` cannot be opened, saying why (corrupt, not a database, no access). */
export function cannotOpenSqlite(err: unknown, file: string): StorageError {
  return new StorageError(
    'DATABASE_UNAVAILABLE',
    `Cannot open the SQLite database at ${file} (${describeCause(err)}).`,
    {
      cause: err,
    },
  );
}
