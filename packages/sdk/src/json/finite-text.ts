import { VouchError } from '../errors.ts';

// JSON has no NaN or Infinity, and JSON.stringify writes either as null: a reader then sees a null the writer never
// wrote (an absent field, where null means absent). A text is refused instead of sent or stored changed.

/**
 * JSON.stringify's text of `value`; a NaN or ±Infinity inside it is handed to `refuse`, which throws the caller's own
 * error (its key is '' for `value` itself). Only a text holding "null" can hide one, so only such a text is walked
 * again: the common case costs one `includes`. A value JSON cannot write (a BigInt, a cycle) or that has no JSON
 * text (undefined, a function, a symbol) throws `VouchError` `UNSUPPORTED_JSON_VALUE`.
 */
export function finiteJsonText(value: unknown, refuse: (key: string, n: number) => never): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value) as string | undefined;
  } catch (err) {
    // JSON.stringify's own refusals are TypeErrors; anything else came from the value's toJSON or getters.
    if (!(err instanceof TypeError)) throw err;
    throw new VouchError('UNSUPPORTED_JSON_VALUE', 'The value is not JSON data (a BigInt or a cycle).', { cause: err });
  }
  if (text === undefined) {
    throw new VouchError('UNSUPPORTED_JSON_VALUE', 'The value has no JSON text (undefined, a function or a symbol).');
  }
  if (text.includes('null')) {
    JSON.stringify(value, (key: string, v: unknown) =>
      typeof v === 'number' && !Number.isFinite(v) ? refuse(key, v) : v,
    );
  }
  return text;
}
