import { DatastoreError, registerDatastoreErrorName } from './DatastoreError';

/** Where an LDAP failure happened: the server and the operation. */
export interface LdapErrorContext {
  /** The server URL the operation went to, when one was chosen (never carries credentials). */
  readonly url?: string;
  /** What was being done, e.g. `bind as cn=reader,dc=example,dc=com` or `search users under ou=people,...`. */
  readonly operation: string;
  /** The underlying error, kept for diagnosis. */
  readonly cause?: unknown;
}

/**
 * Base of the errors `LdapDatastore` throws. The message names the operation and the URL; it
 * never contains the bind password.
 */
export class LdapDatastoreError extends DatastoreError {
  override name = 'LdapDatastoreError';
  /** The server URL, when the failure concerns one server. */
  readonly url: string | undefined;
  /** The operation that failed. */
  readonly operation: string;

  constructor(message: string, context: LdapErrorContext) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.url = context.url;
    this.operation = context.operation;
  }
}
registerDatastoreErrorName('LdapDatastoreError');

/** True when `value` is an {@link LdapDatastoreError} (or a subclass) from any copy of this package. */
export function isLdapDatastoreError(value: unknown): value is LdapDatastoreError {
  return (
    value instanceof Error &&
    (value.name === 'LdapDatastoreError' ||
      value.name === 'LdapConnectionError' ||
      value.name === 'LdapAuthenticationError' ||
      value.name === 'LdapSearchError' ||
      value.name === 'LdapTimeoutError' ||
      value.name === 'LdapConfigError')
  );
}

/** Renders the `on <url>` part of a message, or nothing when no server was involved. */
export function describeLdapContext(context: LdapErrorContext): string {
  return context.url === undefined ? context.operation : `${context.operation} on ${context.url}`;
}
