/**
 * The configuration file of the command line cannot be used: it cannot be read, is not JSON, a
 * field is missing or malformed, or a secret it points at is not there. Exit code 2.
 *
 * The message names the file and, for each problem, the field as a dotted path
 * (`source.users.baseDn`) and what was expected. It never shows a value from the file or from the
 * environment, since either may be a secret.
 *
 * @example
 * ```ts
 * try {
 *   await loadConfig('provisioner.json', process.env);
 * } catch (error) {
 *   if (isCliConfigError(error)) console.error(error.problems.map((problem) => problem.field));
 * }
 * ```
 */
export class CliConfigError extends Error {
  override name = 'CliConfigError';
  /** The configuration file concerned (as given on the command line). */
  readonly file: string;
  /** Each problem found: the field path (`''` for the file as a whole) and what is wrong. */
  readonly problems: readonly { readonly field: string; readonly message: string }[];

  constructor(
    file: string,
    problems: readonly { readonly field: string; readonly message: string }[],
    options?: { cause?: unknown },
  ) {
    const lines = problems.map((problem) =>
      problem.field === '' ? `  ${problem.message}` : `  ${problem.field}: ${problem.message}`,
    );
    super(
      `${file}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`} in the configuration\n${lines.join('\n')}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.file = file;
    this.problems = problems;
  }
}

/** True when `value` is a {@link CliConfigError} from any copy of this package. */
export function isCliConfigError(value: unknown): value is CliConfigError {
  return value instanceof Error && value.name === 'CliConfigError';
}
