// What the claims of a token this server issued look like, whatever key signed the token: issuance's own bounds. A
// leaked key signs whatever it likes; these checks keep text no issued token carries (a control character, which
// PostgreSQL cannot even compare when it is U+0000; text past an index's size) away from every query, list and audit
// entry, with no query of their own.
import { IDENTIFIER_TEXT } from '../../http/text-patterns.ts';

const IDENTIFIER = new RegExp(IDENTIFIER_TEXT);

/** The longest jti a revocation by jti names (the route's body.jti); issued ones have 22 characters. */
export const MAX_JTI_LENGTH = 128;

/** Audiences and nonces: printable ASCII without spaces, so the signed proof string stays unambiguous. */
export const AUDIENCE_OR_NONCE_TEXT = '^[\\x21-\\x7e]+$';
/** The longest audience or nonce issuance takes. */
export const MAX_AUDIENCE_OR_NONCE_LENGTH = 256;
const AUDIENCE_OR_NONCE = new RegExp(AUDIENCE_OR_NONCE_TEXT);

/** Whether `text` holds no control character (a sub, a jti: what {@link IDENTIFIER_TEXT} allows). */
export function isIdentifierText(text: string): boolean {
  return IDENTIFIER.test(text);
}

/**
 * Whether `jti` may be one this server issued: 1 to {@link MAX_JTI_LENGTH} characters and no control character.
 * Anything else comes from a leaked key's signer (an empty one names no list entry or audit target either).
 */
export function isIssuableJti(jti: string): boolean {
  return jti.length > 0 && jti.length <= MAX_JTI_LENGTH && isIdentifierText(jti);
}

/** Whether `text` is an audience or nonce as issuance takes them (the issue route's body): 1–256 printable ASCII. */
export function isIssuableAudienceOrNonce(text: string): boolean {
  return text.length <= MAX_AUDIENCE_OR_NONCE_LENGTH && AUDIENCE_OR_NONCE.test(text);
}
