// Apart from config.ts, whose test requires every VOUCH_* name in it to be a server setting (CONFIG_VARIABLES).

/**
 * `VOUCH_*` names other Vouch programs read (the CLI, the examples, the tests): a shell that runs the server may hold
 * them, so they are not reported as unknown.
 */
export const OTHER_PROGRAMS_VARIABLES: readonly string[] = [
  // the CLI
  'VOUCH_HOME',
  'VOUCH_SERVER',
  'VOUCH_AGENT',
  'VOUCH_OWNER_KEY',
  'VOUCH_LINKING_KEY',
  // examples/
  'VOUCH_AGENT_ID',
  'VOUCH_CREDENTIAL',
  'VOUCH_INTEGRATOR',
  'VOUCH_ROOT_KEY',
  'VOUCH_TOKEN',
  // the tests
  'VOUCH_TEST_DATABASE_URL',
  'VOUCH_VECTORS_DIR',
  'VOUCH_FUZZ_RUNS',
  'VOUCH_FUZZ_SEED',
];
