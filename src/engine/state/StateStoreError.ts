import { registerScimErrorName, ScimError } from '../../scim/errors/ScimError';

/**
 * Why a state store refused to work:
 *
 * - `corrupt`: the state file or its journal is not valid (bad JSON, truncated, an entry of the
 *   wrong shape, a checksum that does not match, a damaged journal line that is not the last
 *   one). The file is left untouched.
 * - `foreign`: the file is valid JSON but not a state file of this package (no format marker).
 *   The file is left untouched.
 * - `unsupportedVersion`: a state file of this package in a layout version this copy does not
 *   know (written by a newer release). The file is left untouched.
 * - `io`: reading or writing failed (permissions, disk full, an `fsync` error). After a failed
 *   write the store refuses further writes until it is loaded again.
 * - `notOpen`: `record()` was called before `load()` or `save()`, or after `close()`.
 */
export type StateStoreErrorCode = 'corrupt' | 'foreign' | 'unsupportedVersion' | 'io' | 'notOpen';

/**
 * A state store cannot load or persist the provisioning state. The message says which file, what
 * is wrong and what to do; it never contains the file's content.
 *
 * @example
 * ```ts
 * try {
 *   await store.load();
 * } catch (error) {
 *   if (isStateStoreError(error) && error.code === 'corrupt') console.error(error.message);
 * }
 * ```
 */
export class StateStoreError extends ScimError {
  override name = 'StateStoreError';
  /** What kind of failure this is. */
  readonly code: StateStoreErrorCode;
  /** The file concerned, when the store is file-based. */
  readonly path: string | undefined;

  constructor(code: StateStoreErrorCode, message: string, options?: { path?: string; cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.path = options?.path;
  }
}
registerScimErrorName('StateStoreError');

/** True when `value` is a {@link StateStoreError} from any copy of this package. */
export function isStateStoreError(value: unknown): value is StateStoreError {
  return value instanceof Error && value.name === 'StateStoreError';
}
