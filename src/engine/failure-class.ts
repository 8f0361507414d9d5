/**
 * Sorting failures into the kinds that say "the target as a whole is unreachable or refuses us"
 * (which stop a cycle early) and the rest (which concern one object).
 */
import { isScimHttpError } from '../client/errors/ScimHttpError';
import { isScimNetworkError } from '../client/errors/ScimNetworkError';
import { isScimTimeoutError } from '../client/errors/ScimTimeoutError';

/**
 * A failure that concerns the target as a whole, not the object at hand:
 *
 * - `authentication`: HTTP 401, the credentials are refused;
 * - `authorization`: HTTP 403, the account may not do this;
 * - `tls`: the TLS handshake failed (untrusted or expired certificate, wrong host name);
 * - `dns`: the host name does not resolve;
 * - `connection`: the connection is refused or the host unreachable;
 * - `timeout`: the target does not answer in time;
 * - `unavailable`: HTTP 502, 503 or 504 after the client's retries.
 */
export type SystemicFailure =
  | 'authentication'
  | 'authorization'
  | 'tls'
  | 'dns'
  | 'connection'
  | 'timeout'
  | 'unavailable';

const TLS_CODES =
  /^(CERT_|ERR_TLS|ERR_SSL|SSL_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|HOSTNAME_MISMATCH|ERR_OSSL)/;
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

/**
 * The systemic kind of `error`, or `undefined` when it concerns one object (a 400, a 404, a 409,
 * a validation failure) or is not a target error at all.
 *
 * @example
 * ```ts
 * classifyFailure(new ScimHttpError({ status: 401, ... })); // 'authentication'
 * ```
 */
export function classifyFailure(error: unknown): SystemicFailure | undefined {
  if (isScimHttpError(error)) {
    if (error.status === 401) return 'authentication';
    if (error.status === 403) return 'authorization';
    if (error.status === 502 || error.status === 503 || error.status === 504) return 'unavailable';
    return undefined;
  }
  if (isScimNetworkError(error)) {
    const code = error.code ?? '';
    if (TLS_CODES.test(code)) return 'tls';
    if (DNS_CODES.has(code)) return 'dns';
    if (CONNECTION_CODES.has(code)) return 'connection';
    return undefined;
  }
  if (isScimTimeoutError(error)) return 'timeout';
  return undefined;
}

/** What each systemic failure means, in words an administrator can act on. */
export function describeSystemicFailure(kind: SystemicFailure): string {
  switch (kind) {
    case 'authentication':
      return 'the target refused the credentials (HTTP 401): check the token or the user name and password';
    case 'authorization':
      return "the target forbids these operations (HTTP 403): check the account's permissions";
    case 'tls':
      return 'the TLS connection to the target failed: check its certificate, the ca option and the host name';
    case 'dns':
      return "the target's host name does not resolve: check the base URL and DNS";
    case 'connection':
      return 'the target refuses connections or cannot be reached: check the base URL, the port and the network';
    case 'timeout':
      return 'the target does not answer in time';
    case 'unavailable':
      return 'the target is unavailable (HTTP 502, 503 or 504)';
  }
}
