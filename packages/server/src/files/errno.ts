/** The errno code of a file system error (`ENOENT`, `EACCES`, ...), or `unknown error`. */
export function errnoCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}
