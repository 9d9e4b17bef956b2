import { CliError, EXIT } from '../../../exit.ts';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90s`, `30m`, `12h`, `7d` → seconds. */
export function parseDuration(value: string, option: string): number {
  const m = /^([1-9][0-9]{0,6})([smhd])$/.exec(value);
  if (m === null)
    throw new CliError(`${option} must be a duration such as 12h or 7d, not ${JSON.stringify(value)}.`, EXIT.USAGE);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** An ISO-8601 time or epoch milliseconds given on the command line. */
export function parseTime(value: string, option: string): Date {
  const ms = /^[0-9]+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new CliError(`${option} must be an ISO-8601 time, not ${JSON.stringify(value)}.`, EXIT.USAGE);
  return new Date(ms);
}
