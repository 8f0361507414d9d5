import { registerDatastoreErrorName } from './DatastoreError';
import { LdapDatastoreError } from './LdapDatastoreError';

/**
 * An `LdapDatastore` option is missing, malformed or contradicts another one (or does not suit
 * the directory found, such as the `usn` algorithm on a server that is not Active Directory).
 * The message starts with the option's path, e.g. `users.baseDn: not a valid DN`.
 */
export class LdapConfigError extends LdapDatastoreError {
  override name = 'LdapConfigError';
  /** The option at fault, as a dotted path: `urls[1]`, `users.baseDn`, `accountStatus.attribute`. */
  readonly field: string;

  constructor(field: string, problem: string, options?: { cause?: unknown }) {
    super(`${field}: ${problem}`, { operation: 'configure', cause: options?.cause });
    this.field = field;
  }
}
registerDatastoreErrorName('LdapConfigError');

/** True when `value` is an {@link LdapConfigError} from any copy of this package. */
export function isLdapConfigError(value: unknown): value is LdapConfigError {
  return value instanceof Error && value.name === 'LdapConfigError';
}
