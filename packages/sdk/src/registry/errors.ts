import { VouchError } from '../errors.ts';

/**
 * `REGISTRY_INVALID`: a registry file (entry, proposal or document) is malformed. `field` is the path of the
 * offending value (`issuers[3].metadata.contact`, `` for the whole value); `source` the file or input it came from,
 * when the caller named one. The message starts with both: `issuers/acme.json: metadata.url: must be ...`.
 *
 * @example
 * ```ts
 * try {
 *   parseIssuerEntry(text, { source: 'issuers/acme.json' });
 * } catch (e) {
 *   if (e instanceof RegistryFormatError) console.error(e.source, e.field, e.message);
 * }
 * ```
 */
export class RegistryFormatError extends VouchError {
  readonly field: string;
  readonly source: string | undefined;

  constructor(field: string, problem: string, source?: string, options?: { cause?: unknown }) {
    const where = [source, field === '' ? undefined : field].filter((s) => s !== undefined && s !== '').join(': ');
    super('REGISTRY_INVALID', where === '' ? problem : `${where}: ${problem}`, options);
    this.field = field;
    this.source = source;
  }
}
