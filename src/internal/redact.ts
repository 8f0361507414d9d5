/**
 * Redaction of credentials in anything the SDK reports: errors, events, logs.
 *
 * Every function here works on a copy and never writes to its input.
 */

/** What replaces a secret. */
export const REDACTED = '[REDACTED]';

/**
 * Header and attribute names (compared case-insensitively) whose values are always secret, in
 * headers, request bodies, query strings and nested objects alike.
 */
const SECRET_KEYS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'passwd',
  'pwd',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'secret',
  'api_key',
  'apikey',
  'x-api-key',
  'x-auth-token',
]);

/** `Bearer xxx`, `Basic xxx`: an authorization scheme and its credentials, anywhere in a string. */
const AUTH_SCHEME_CREDENTIALS = /\b(Bearer|Basic)(\s+)[A-Za-z0-9\-._~+/=:]+/gi;

/** `scheme://user:password@host`: credentials in a URL. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*)(:[^\s/@]*)?@/gi;

/** `key=value` pairs of secret query parameters, e.g. `?access_token=abc`. */
const SECRET_QUERY =
  /([?&;](?:access_token|refresh_token|id_token|token|password|client_secret|api_key|apikey)=)[^&#\s]*/gi;

/** The deepest a value is walked; deeper parts are replaced by a marker. */
const MAX_DEPTH = 12;

/** True when `key` names a value that is always secret (`Authorization`, `password`, `client_secret`, …). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

/**
 * Removes credentials from a string: `Bearer`/`Basic` credentials, passwords in URLs, secret query
 * parameters, and each of the given secret values wherever it appears (a token echoed back in an
 * error page, for instance).
 *
 * @param secrets - literal values to blank out; values shorter than 4 characters are ignored, to
 *   avoid blanking common words.
 * @example
 * ```ts
 * redactString('Authorization: Bearer abc.def', []); // 'Authorization: Bearer [REDACTED]'
 * ```
 */
export function redactString(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(
    AUTH_SCHEME_CREDENTIALS,
    (_match, scheme: string, space: string) => `${scheme}${space}${REDACTED}`,
  );
  out = out.replace(URL_USERINFO, (_match, scheme: string, user: string, password: string | undefined) =>
    password === undefined ? `${scheme}${REDACTED}@` : `${scheme}${user}:${REDACTED}@`,
  );
  out = out.replace(SECRET_QUERY, (_match, prefix: string) => `${prefix}${REDACTED}`);
  return out;
}

/**
 * Removes credentials from a URL: the password (or the whole user info) and secret query
 * parameters. Anything that is not a parseable URL is treated as a string.
 *
 * @example
 * ```ts
 * redactUrl('https://admin:s3cret@scim.example.com/v2/Users?access_token=abc');
 * // 'https://admin:[REDACTED]@scim.example.com/v2/Users?access_token=[REDACTED]'
 * ```
 */
export function redactUrl(url: string, secrets: readonly string[] = []): string {
  return redactString(url, secrets);
}

/**
 * A copy of a header map with every secret header (`Authorization`, `Proxy-Authorization`,
 * `Cookie`, `Set-Cookie`, API key headers) replaced by `[REDACTED]`, and credentials blanked in
 * the others.
 */
export function redactHeaders(
  headers: Readonly<Record<string, unknown>> | undefined,
  secrets: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    const text = Array.isArray(value) ? value.map(String).join(', ') : String(value);
    out[name] = isSecretKey(name) ? REDACTED : redactString(text, secrets);
  }
  return out;
}

/**
 * A deep copy of `value` in which every property with a secret name (see {@link isSecretKey}) is
 * `[REDACTED]` and every string has credentials blanked (see {@link redactString}). Cycles and
 * parts deeper than 12 levels are replaced by markers; functions are dropped; errors become
 * `{ name, message }`.
 *
 * @example
 * ```ts
 * redactValue({ userName: 'bjensen', password: 'p@ss' }); // { userName: 'bjensen', password: '[REDACTED]' }
 * ```
 */
export function redactValue(value: unknown, secrets: readonly string[] = []): unknown {
  return walk(value, secrets, 0, new WeakSet());
}

function walk(value: unknown, secrets: readonly string[], depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  if (typeof value !== 'object' || value === null) return typeof value === 'function' ? undefined : value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (value instanceof Error) {
      return { name: value.name, message: redactString(value.message, secrets) };
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, secrets, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === 'function') continue;
      out[key] =
        isSecretKey(key) && item !== undefined && item !== null
          ? REDACTED
          : walk(item, secrets, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
