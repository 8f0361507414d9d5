import { DatastoreError, registerDatastoreErrorName } from './DatastoreError';

/** What kind of failure an {@link LdapTransportError} reports. */
export type LdapTransportFailure =
  /** The server could not be reached or the socket failed (refused, reset, DNS). */
  | 'network'
  /** The TLS handshake failed or the server's certificate was refused. */
  | 'tls'
  /** The connection was closed or lost while the operation was outstanding. */
  | 'closed'
  /** The server answered with an LDAP result code other than success. */
  | 'result'
  /** The server sent something that is not valid LDAP. */
  | 'protocol';

/**
 * The low-level failure a connection (an `LdapConnection`, the ldapjs-based one or one a host
 * plugs in through the `connector` option) reports. `LdapDatastore` never lets it out: it
 * turns it into an `LdapConnectionError`, `LdapAuthenticationError` or `LdapSearchError` that
 * names the server and the operation, keeping this error as `cause`.
 */
export class LdapTransportError extends DatastoreError {
  override name = 'LdapTransportError';
  readonly failure: LdapTransportFailure;
  /** The LDAP result code, for `failure: 'result'`. */
  readonly resultCode: number | undefined;
  /** Node's error code (`ECONNREFUSED`, `CERT_HAS_EXPIRED`, ...), when there is one. */
  readonly code: string | undefined;

  constructor(
    failure: LdapTransportFailure,
    message: string,
    options?: { resultCode?: number; code?: string; cause?: unknown },
  ) {
    super(message, options);
    this.failure = failure;
    this.resultCode = options?.resultCode;
    this.code = options?.code;
  }
}
registerDatastoreErrorName('LdapTransportError');

/** True when `value` is an {@link LdapTransportError} from any copy of this package. */
export function isLdapTransportError(value: unknown): value is LdapTransportError {
  return value instanceof Error && value.name === 'LdapTransportError';
}
