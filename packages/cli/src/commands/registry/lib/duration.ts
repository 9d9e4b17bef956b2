import { CliError, EXIT } from '../../../exit.ts';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90s`, `30m`, `12h`, `7d` → seconds. */
export function parseDuration(value: string, option: string): number {
  const m = /^([1-9][0-9]{0,6})([smhd])$/.exec(value);
  if (m === null)
    throw new CliError(`${option} must be a duration such as 12h or 7d, not ${JSON.stringify(value)}.`, EXIT.USAGE);
  return Number(m[1]) * UNITS[m[2]!]!;
}

const ISO_TIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?$/;

/**
 * An ISO-8601 time (`2025-01-01`, `2025-01-01T12:00:00Z`, an offset, or none: local time) or epoch milliseconds given
 * on the command line. Anything else — what Date.parse would still make something of (`-1`, `Dec 5`: 2001), a day
 * that is not on the calendar, a time Date cannot hold — is a usage error naming the option.
 */
export function parseTime(value: string, option: string): Date {
  const iso = ISO_TIME.exec(value);
  let ms = Number.NaN;
  if (/^[0-9]{1,16}$/.test(value)) ms = Number(value);
  else if (iso !== null) {
    const [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    const day = new Date(Date.UTC(2000, m - 1, d));
    day.setUTCFullYear(y);
    if (day.getUTCMonth() === m - 1 && day.getUTCDate() === d) ms = Date.parse(value);
  }
  if (!Number.isFinite(ms) || Number.isNaN(new Date(ms).getTime()))
    throw new CliError(
      `${option} must be an ISO-8601 time or epoch milliseconds, not ${JSON.stringify(value)}.`,
      EXIT.USAGE,
    );
  return new Date(ms);
}
