/** The two database engines Vouch runs on: embedded SQLite (default) or a shared PostgreSQL. */
export type Engine = 'sqlite' | 'postgres';
