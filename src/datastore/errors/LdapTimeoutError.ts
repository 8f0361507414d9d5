import { registerDatastoreErrorName } from './DatastoreError';
import { describeLdapContext, LdapDatastoreError, type LdapErrorContext } from './LdapDatastoreError';

/**
 * A server did not answer in time: connecting (`connectTimeout`) or an operation
 * (`operationTimeout`, each request of a paged search counting as one operation). The
 * connection is dropped, so a late answer can never be mistaken for the next one.
 */
export class LdapTimeoutError extends LdapDatastoreError {
  override name = 'LdapTimeoutError';
  /** The limit that was reached. @unit ms */
  readonly timeoutMs: number;

  constructor(context: LdapErrorContext & { readonly timeoutMs: number }) {
    super(`${describeLdapContext(context)}: no answer within ${context.timeoutMs} ms`, context);
    this.timeoutMs = context.timeoutMs;
  }
}
registerDatastoreErrorName('LdapTimeoutError');

/** True when `value` is an {@link LdapTimeoutError} from any copy of this package. */
export function isLdapTimeoutError(value: unknown): value is LdapTimeoutError {
  return value instanceof Error && value.name === 'LdapTimeoutError';
}
