export { main, buildProgram } from './main.ts';
export { EXIT, CliError } from './exit.ts';
export type { ExitCode } from './exit.ts';
export type { Io } from './output.ts';
