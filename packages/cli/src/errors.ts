/** Exit codes a script can act on, and the error that carries one. */
export const EXIT = {
  ok: 0,
  /** Something was not published (failed, refused, a bad file), or a command could not be done. */
  failed: 1,
  /** The command line is wrong. */
  usage: 2,
  /** No token, or the server refused it (wrong or revoked). */
  auth: 3,
  /** The server cannot be reached, or says it is unavailable. */
  unreachable: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
