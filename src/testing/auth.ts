/**
 * Authentication of {@link ScimTestServer}: a bearer token or HTTP Basic credentials, compared in
 * constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { RequestRejection } from './RequestRejection';

/**
 * The credentials the server accepts. Without `auth` the server accepts every request.
 *
 * @example
 * ```ts
 * const bearer: ScimTestServerAuth = { type: 'bearer', token: 'test-token' };
 * const basic: ScimTestServerAuth = { type: 'basic', username: 'scim', password: 'secret' };
 * ```
 */
export type ScimTestServerAuth =
  | {
      readonly type: 'bearer';
      /** The token expected in `Authorization: Bearer <token>`. */
      readonly token: string;
    }
  | {
      readonly type: 'basic';
      /** The user name expected in `Authorization: Basic …`. */
      readonly username: string;
      /** The password expected in `Authorization: Basic …`. */
      readonly password: string;
    };

/**
 * Compares two secrets in constant time (with respect to their content; both are hashed first, so
 * their lengths do not leak either).
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Checks an `auth` option's shape, naming the field that is wrong. */
export function validateAuth(auth: ScimTestServerAuth | undefined): void {
  if (auth === undefined) return;
  if (auth.type === 'bearer') {
    if (typeof auth.token !== 'string' || auth.token === '')
      throw new TypeError('auth.token must be a non-empty string');
    return;
  }
  if (auth.type === 'basic') {
    if (typeof auth.username !== 'string' || auth.username === '' || auth.username.includes(':')) {
      throw new TypeError('auth.username must be a non-empty string without ":"');
    }
    if (typeof auth.password !== 'string') throw new TypeError('auth.password must be a string');
    return;
  }
  throw new TypeError("auth.type must be 'bearer' or 'basic'");
}

/**
 * Checks a request's `Authorization` header against `auth`.
 *
 * @throws RequestRejection 401 with `WWW-Authenticate` when the header is missing or wrong. The
 *   message never repeats what was sent.
 */
export function authenticate(auth: ScimTestServerAuth | undefined, header: string | undefined): void {
  if (auth === undefined) return;
  const scheme = auth.type === 'bearer' ? 'Bearer' : 'Basic';
  const challenge = { headers: { 'WWW-Authenticate': `${scheme} realm="scim"` } };
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header ?? '');
  if (match === null || match[1]!.toLowerCase() !== scheme.toLowerCase()) {
    throw new RequestRejection(401, `Authentication required: ${scheme} credentials expected`, challenge);
  }
  const credentials = match[2]!;
  let ok: boolean;
  if (auth.type === 'bearer') {
    ok = secretsEqual(credentials, auth.token);
  } else {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    // Evaluate both comparisons whatever the first gives, so timing says nothing about which failed.
    const userOk = secretsEqual(username, auth.username);
    const passwordOk = secretsEqual(password, auth.password);
    ok = colon >= 0 && userOk && passwordOk;
  }
  if (!ok) throw new RequestRejection(401, 'Authentication failed: invalid credentials', challenge);
}
