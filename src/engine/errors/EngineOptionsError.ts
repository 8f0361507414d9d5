import { registerScimErrorName, ScimError } from '../../scim/errors/ScimError';

/**
 * An option given to `ProvisioningEngine` is malformed. Thrown by the constructor, before anything
 * is read or written. `option` names the field as the caller wrote it (`users.removeAction`,
 * `safety.deletionThreshold`, `match.users`); the message says what is accepted. The value given
 * is never shown (an option may hold a secret).
 *
 * @example
 * ```ts
 * try {
 *   new ProvisioningEngine({ datastore, client, mapping, concurrency: 0 });
 * } catch (error) {
 *   if (isEngineOptionsError(error)) console.error(error.option); // 'concurrency'
 * }
 * ```
 */
export class EngineOptionsError extends ScimError {
  override name = 'EngineOptionsError';
  /** The option at fault, as a dotted path (`users.removeAction`). */
  readonly option: string;

  constructor(option: string, problem: string) {
    super(`ProvisioningEngine option ${option} ${problem}`);
    this.option = option;
  }
}
registerScimErrorName('EngineOptionsError');

/** True when `value` is an {@link EngineOptionsError} from any copy of this package. */
export function isEngineOptionsError(value: unknown): value is EngineOptionsError {
  return value instanceof Error && value.name === 'EngineOptionsError';
}
