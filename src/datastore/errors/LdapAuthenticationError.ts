import { registerDatastoreErrorName } from './DatastoreError';
import { describeLdapContext, LdapDatastoreError, type LdapErrorContext } from './LdapDatastoreError';

/**
 * The server refused the bind: wrong DN or password, account locked, or a bind that needs a
 * secure connection. The message names the bind DN, never the password.
 */
export class LdapAuthenticationError extends LdapDatastoreError {
  override name = 'LdapAuthenticationError';
  /** The LDAP result code (49 invalidCredentials, 13 confidentialityRequired, 8 strongerAuthRequired, ...). */
  readonly resultCode: number | undefined;

  constructor(detail: string, context: LdapErrorContext & { readonly resultCode?: number }) {
    super(`${describeLdapContext(context)}: ${detail}`, context);
    this.resultCode = context.resultCode;
  }
}
registerDatastoreErrorName('LdapAuthenticationError');

/** True when `value` is an {@link LdapAuthenticationError} from any copy of this package. */
export function isLdapAuthenticationError(value: unknown): value is LdapAuthenticationError {
  return value instanceof Error && value.name === 'LdapAuthenticationError';
}
