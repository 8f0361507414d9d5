import { registerDatastoreErrorName } from './DatastoreError';
import { describeLdapContext, LdapDatastoreError, type LdapErrorContext } from './LdapDatastoreError';

/**
 * The server answered a search with an error: no such base DN, size or administrative limit
 * exceeded, insufficient access, unwilling to perform. The read is incomplete, so the adapter
 * throws instead of returning fewer objects.
 */
export class LdapSearchError extends LdapDatastoreError {
  override name = 'LdapSearchError';
  /** The LDAP result code (32 noSuchObject, 4 sizeLimitExceeded, 11 adminLimitExceeded, 50 insufficientAccessRights, ...). */
  readonly resultCode: number | undefined;

  constructor(detail: string, context: LdapErrorContext & { readonly resultCode?: number }) {
    super(`${describeLdapContext(context)}: ${detail}`, context);
    this.resultCode = context.resultCode;
  }
}
registerDatastoreErrorName('LdapSearchError');

/** True when `value` is an {@link LdapSearchError} from any copy of this package. */
export function isLdapSearchError(value: unknown): value is LdapSearchError {
  return value instanceof Error && value.name === 'LdapSearchError';
}
