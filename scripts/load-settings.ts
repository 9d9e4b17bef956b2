// The environment of `npm run load` (scripts/load.ts).

export interface LoadSettings {
  /** LOAD_DURATION_S: seconds of load (default 60). */
  durationS: number;
  /** LOAD_CONNECTIONS: connections per workload (default 8). */
  connections: number;
}

/** The settings; throws naming the variable when one is set but is not a positive whole number. */
export function loadSettings(env: NodeJS.ProcessEnv): LoadSettings {
  return {
    durationS: positiveInteger(env, 'LOAD_DURATION_S', 60),
    connections: positiveInteger(env, 'LOAD_CONNECTIONS', 8),
  };
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(raw))
    throw new Error(`${name} must be a positive whole number, not ${JSON.stringify(raw)}`);
  return Number(raw);
}
