// The app both route fuzzers (routes.test.ts: documented routes; hidden-routes.test.ts: the rest) send requests to.

/** The body limit the app is started with; request bodies are generated up to and past it. */
export const FUZZ_BODY_LIMIT = 65_536;

/** How long one fuzzed request may take before the property fails as a hang. */
export const FUZZ_REQUEST_TIMEOUT_MS = 10_000;

/** The one browser origin the app allows, so CORS answers (allowed and refused origins) are fuzzed too. */
export const FUZZ_ALLOWED_ORIGIN = 'https://app.example';

export const FUZZ_ENV = {
  VOUCH_LOG_LEVEL: 'silent',
  VOUCH_POW_DIFFICULTY: '0',
  VOUCH_BODY_LIMIT: String(FUZZ_BODY_LIMIT),
  // X-Forwarded-For is honoured, so hostile values reach address parsing and the rate-limit key.
  VOUCH_TRUST_PROXY: 'true',
  // Domain verification must never leave the machine: a loopback resolver nobody answers on, failing fast.
  VOUCH_DNS_SERVERS: '127.0.0.1:9',
  VOUCH_DNS_TIMEOUT_MS: '100',
  // Generous limits so requests get past the rate limiter; stricter fixed limits are reset by the tests' clock.
  VOUCH_RATE_LIMIT_MAX: '1000000',
  VOUCH_SLUG_REGISTER_RATE_MAX: '1000000',
  VOUCH_TOKEN_ISSUE_RATE_MAX: '1000000',
  VOUCH_TOKEN_VERIFY_RATE_MAX: '1000000',
  VOUCH_TOKEN_REVOKE_RATE_MAX: '1000000',
  VOUCH_CORS_ORIGINS: FUZZ_ALLOWED_ORIGIN,
};
