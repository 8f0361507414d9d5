import { registerScimErrorName, ScimError } from '../../scim/errors/ScimError';

/**
 * Two source objects claim one target object: they have the same match key (two source users
 * with one `userName`, two source groups with one `displayName`), or the target object a source
 * object matches is already linked to another source object. The engine links or creates the
 * first and reports this error for the other, in every cycle until the source is corrected;
 * nothing is written for it.
 *
 * @example
 * ```ts
 * for (const failure of report.failures) {
 *   if (isMatchConflictError(failure.error)) console.warn(failure.error.sourceId, 'clashes with', failure.error.otherSourceId);
 * }
 * ```
 */
export class MatchConflictError extends ScimError {
  override name = 'MatchConflictError';
  /** `user` or `group`. */
  readonly kind: 'user' | 'group';
  /** The source object that was not provisioned. */
  readonly sourceId: string;
  /** The source object that holds the key or the target object. */
  readonly otherSourceId: string;
  /** The target object both claim, when there is one already. */
  readonly targetId: string | undefined;

  constructor(init: {
    kind: 'user' | 'group';
    sourceId: string;
    otherSourceId: string;
    key: string;
    targetId?: string;
    cause?: unknown;
  }) {
    const what = init.kind === 'user' ? 'user' : 'group';
    const attribute = init.kind === 'user' ? 'match key' : 'displayName';
    super(
      init.targetId === undefined
        ? `Source ${what} ${init.sourceId} has the same ${attribute} as source ${what} ${init.otherSourceId} (${init.key}): not provisioned`
        : `Source ${what} ${init.sourceId} matches target ${what} ${init.targetId} (${init.key}), which is linked to source ${what} ${init.otherSourceId}: not provisioned`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.kind = init.kind;
    this.sourceId = init.sourceId;
    this.otherSourceId = init.otherSourceId;
    this.targetId = init.targetId;
  }
}
registerScimErrorName('MatchConflictError');

/** True when `value` is a {@link MatchConflictError} from any copy of this package. */
export function isMatchConflictError(value: unknown): value is MatchConflictError {
  return value instanceof Error && value.name === 'MatchConflictError';
}
