/** Where commands write: injectable so tests capture output without spawning a process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Prints data as JSON (with `--json`) or as the human form. */
export function print(io: Io, json: boolean, data: unknown, human: () => string): void {
  io.out(json ? JSON.stringify(data, null, 2) : human());
}
