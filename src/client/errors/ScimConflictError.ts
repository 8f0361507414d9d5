import { registerScimErrorName } from '../../scim/errors/ScimError';
import { registerHttpErrorSubclass, ScimHttpError, type ScimHttpErrorInit } from './ScimHttpError';

/**
 * The service answered `409 Conflict`: most often `uniqueness`, a create of a user whose
 * `userName` (or a group whose `displayName`) is taken. When the client could find the resource
 * that holds the name, it is in `existing`, so that the caller can link to it instead of creating.
 *
 * @example
 * ```ts
 * try {
 *   await client.users.create(user);
 * } catch (error) {
 *   if (isScimConflictError(error) && error.existing) link(error.existing.id);
 * }
 * ```
 */
export class ScimConflictError<T = unknown> extends ScimHttpError {
  override name = 'ScimConflictError';
  /** The resource that already holds the unique value, when the client found it. */
  readonly existing: T | undefined;

  constructor(init: ScimHttpErrorInit, existing?: T) {
    super(init);
    this.existing = existing;
  }

  /** A copy of this error carrying the resource that already holds the unique value. */
  withExisting<R>(existing: R | undefined): ScimConflictError<R> {
    return new ScimConflictError<R>(
      {
        status: this.status,
        scimType: this.scimType,
        detail: this.detail,
        request: this.request,
        message: this.message,
      },
      existing,
    );
  }
}
registerScimErrorName('ScimConflictError');
registerHttpErrorSubclass((status) => status === 409, ScimConflictError);

/** True when `value` is a {@link ScimConflictError} from any copy of this package. */
export function isScimConflictError(value: unknown): value is ScimConflictError {
  return value instanceof Error && value.name === 'ScimConflictError';
}
