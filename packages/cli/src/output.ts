/** Where commands write: injectable so tests capture output without spawning a process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

// What a terminal would act on rather than show: C0 controls but newline and tab (ESC starts an escape sequence),
// DEL, the C1 controls (U+009B is a one-character CSI on many terminals), the line and paragraph separators (U+2028,
// U+2029: a line break in terminals that honour them, so server text could fake lines of its own), and the bidi
// embeddings, overrides and isolates, which reorder the text shown after them. Servers supply names, notes and error
// messages. JSON output (jsonOut) escapes these instead: the same value, and nothing for this filter to replace.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/g;
// Inside one field, also what starts a new line, so that a server-supplied name cannot print a line of its own, and
// the bidi marks (U+061C, U+200E, U+200F), the zero-width space and the BOM (U+200B, U+FEFF), which hide or reorder
// text: what the server's display-text rule (DISPLAY_TEXT in packages/server/src/http/text-patterns.ts) refuses.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_FIELD = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/** Text with every character a terminal would act on replaced by U+FFFD; newlines (U+000A) and tabs stay. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, '\uFFFD');
}

/**
 * A server-supplied value shown inside a line: {@link terminalSafe}, and no line breaks, tabs, bidi marks, zero-width
 * space or BOM either.
 */
export function field(value: unknown): string {
  return String(value).replace(UNSAFE_IN_FIELD, '\uFFFD');
}

/** An `Io` that writes only {@link terminalSafe} text: every command writes through one. */
export function safeIo(io: Io): Io {
  return { out: (text) => io.out(terminalSafe(text)), err: (text) => io.err(terminalSafe(text)) };
}

/**
 * JSON whose strings carry the characters {@link terminalSafe} would replace as `\uXXXX` escapes: the same value for
 * a JSON parser, nothing for a terminal to act on. (JSON.stringify already escapes C0 controls, not the others.)
 */
export function jsonOut(data: unknown): string {
  return JSON.stringify(data, null, 2).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Prints data as JSON (with `--json`) or as the human form. */
export function print(io: Io, json: boolean, data: unknown, human: () => string): void {
  io.out(json ? jsonOut(data) : human());
}
