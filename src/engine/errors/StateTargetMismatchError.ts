import { registerScimErrorName, ScimError } from '../../scim/errors/ScimError';

/**
 * The state store holds the state of another target: its `target.id` differs from the engine's
 * (the client's base URL fingerprint, or the `targetId` option). The engine refuses to use it, since
 * it would take every user recorded there for provisioned in this target. Nothing is written.
 *
 * Point the engine at its own state file, or pass the `targetId` the state was written with when
 * the same service moved to another URL.
 *
 * @example
 * ```ts
 * if (isStateTargetMismatchError(error)) console.error(error.expected, error.found);
 * ```
 */
export class StateTargetMismatchError extends ScimError {
  override name = 'StateTargetMismatchError';
  /** The engine's target id. */
  readonly expected: string;
  /** The target id recorded in the state. */
  readonly found: string;

  constructor(expected: string, found: string) {
    super(
      `The provisioning state belongs to target "${found}", not to this engine's target "${expected}"; ` +
        'use a state store of its own for each target, or pass the targetId the state was written with',
    );
    this.expected = expected;
    this.found = found;
  }
}
registerScimErrorName('StateTargetMismatchError');

/** True when `value` is a {@link StateTargetMismatchError} from any copy of this package. */
export function isStateTargetMismatchError(value: unknown): value is StateTargetMismatchError {
  return value instanceof Error && value.name === 'StateTargetMismatchError';
}
