/**
 * The command line itself is wrong: an unknown command or option, a missing `--config`, a value
 * that does not parse (`--interval 5x`). Exit code 2, with a pointer to `--help`.
 *
 * @example
 * ```ts
 * throw new UsageError('sync needs --config FILE', 'sync');
 * ```
 */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The command whose usage applies, when one was recognised. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/** True when `value` is a {@link UsageError} from any copy of this package. */
export function isUsageError(value: unknown): value is UsageError {
  return value instanceof Error && value.name === 'UsageError';
}
