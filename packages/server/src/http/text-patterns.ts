// JSON-schema patterns for human-readable text that pages, the CLI and other agents show under an agent's or an
// owner's name. Besides control characters, they refuse the invisible characters that make one name look like
// another or reorder what a reader sees: C1 controls (U+0080–U+009F; U+009B starts a terminal escape), the bidi
// marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), the zero-width
// space and BOM (U+200B, U+FEFF) and the line and paragraph separators (U+2028, U+2029). The zero-width joiner and
// non-joiner stay: Persian and Indic scripts and emoji sequences need them.

/** The invisible characters display text refuses, as a character class body (escaped for a pattern string). */
export const INVISIBLE = '\\u007f-\\u009f\\u061c\\u200b\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff';

/** One line of display text (names, labels, short notes, reasons). */
export const DISPLAY_TEXT = `^[^\\u0000-\\u001f${INVISIBLE}]*$`;

/** Display text that may span lines (tab, line feed, carriage return allowed): descriptions, report details. */
export const DISPLAY_TEXT_LINES = `^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f${INVISIBLE}]*$`;

/**
 * An identifier a client sends back to be looked up (a token id, an audit action): any text without control
 * characters. None is ever issued with one, and PostgreSQL cannot store or compare U+0000 at all (SQLite can), so
 * refusing them here gives both engines the same answer, 400, rather than a 404 on one and a 500 on the other.
 */
export const IDENTIFIER_TEXT = '^[^\\u0000-\\u001f\\u007f]*$';
