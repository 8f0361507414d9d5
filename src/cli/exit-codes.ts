/**
 * The exit codes of `aquera-provisioner`, documented in docs/cli.md. When several apply, the
 * lowest-numbered problem that stopped work wins: a run that could not start (2) reports 2; a
 * cycle with failed operations reports 1 even when removals were also held.
 *
 * @module
 */

/** The codes, by meaning. */
export const ExitCode = {
  /** Everything asked for was done (or, with `--dry-run` and `plan`, could be done). */
  ok: 0,
  /** The cycle ran, but some operations failed (they are retried next cycle). */
  failures: 1,
  /** Nothing (or not everything) could run: bad command line or configuration, or a connection, credential or TLS problem with the directory or the target. */
  configOrConnection: 2,
  /** The cycle ran, and held its removals because there were more than the deletion threshold allows. */
  removalsHeld: 3,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
