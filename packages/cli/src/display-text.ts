// The server's rule for one line of display text (a label, a name), checked here so that a label the server would
// refuse fails before the proof of work rather than after it. A copy of DISPLAY_TEXT in
// packages/server/src/http/text-patterns.ts (the CLI does not import server code): control characters, DEL and the
// C1 controls (U+007F–U+009F), the bidi marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
// U+202A–U+202E, U+2066–U+2069), the zero-width space and BOM (U+200B, U+FEFF) and the line and paragraph
// separators (U+2028, U+2029). A test holds the two to the same answer for every code point.

// eslint-disable-next-line no-control-regex
const REFUSED = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/u;

/**
 * What is wrong with `text` as one line of display text, or undefined when the server's DISPLAY_TEXT takes it.
 *
 * @example
 * displayTextProblem('bot\u202e'); // 'contains U+202E, a control or invisible character'
 */
export function displayTextProblem(text: string): string | undefined {
  const found = REFUSED.exec(text);
  if (found === null) return undefined;
  const cp = found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `contains U+${cp}, a control or invisible character`;
}
