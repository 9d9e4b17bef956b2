/** The CLI's exit codes: scripts rely on them. */
export const EXIT = {
  /** The command did what was asked. */
  OK: 0,
  /** A verification ran and failed (bad signature, revoked token, ...). */
  VERIFICATION_FAILED: 1,
  /** The command line or an input file was wrong; nothing was done. */
  USAGE: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with a message on stderr and a given exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = EXIT.USAGE) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A refusal's message ending with its stable code, so a script can match the code: `… (OUTPUT_EXISTS)`. */
export function withCode(message: string, code: string): string {
  return `${message.replace(/\.$/, '')} (${code})`;
}
