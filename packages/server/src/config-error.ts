// Its own file, without config.ts's imports (pg, net), so what the CLI loads to check a key file stays light.

/** Error raised for a configuration the server cannot start with. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
