import { registerDatastoreErrorName } from './DatastoreError';
import { describeLdapContext, LdapDatastoreError, type LdapErrorContext } from './LdapDatastoreError';

/** One failed attempt to reach a server, as listed by {@link LdapConnectionError.attempts}. */
export interface LdapConnectionAttempt {
  readonly url: string;
  /** What went wrong, in words. */
  readonly message: string;
  /** Node's error code when there is one: `ECONNREFUSED`, `ENOTFOUND`, `DEPTH_ZERO_SELF_SIGNED_CERT`, ... */
  readonly code?: string;
}

/**
 * No server could be reached, TLS could not be set up (certificate not trusted, wrong host
 * name), or a connection was lost during an operation and could not be re-established.
 */
export class LdapConnectionError extends LdapDatastoreError {
  override name = 'LdapConnectionError';
  /** Node's error code of the (last) failure, when there is one. */
  readonly code: string | undefined;
  /** Every server tried, in order, with why it failed (connecting only). */
  readonly attempts: readonly LdapConnectionAttempt[];
  /** True when the failure is about TLS: handshake, certificate trust or host name. */
  readonly tls: boolean;

  constructor(
    detail: string,
    context: LdapErrorContext & {
      readonly code?: string;
      readonly attempts?: readonly LdapConnectionAttempt[];
      readonly tls?: boolean;
    },
  ) {
    super(`${describeLdapContext(context)}: ${detail}`, context);
    this.code = context.code;
    this.attempts = context.attempts ?? [];
    this.tls = context.tls ?? false;
  }
}
registerDatastoreErrorName('LdapConnectionError');

/** True when `value` is an {@link LdapConnectionError} from any copy of this package. */
export function isLdapConnectionError(value: unknown): value is LdapConnectionError {
  return value instanceof Error && value.name === 'LdapConnectionError';
}
