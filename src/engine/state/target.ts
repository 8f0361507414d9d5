import { createHash } from 'node:crypto';

/**
 * A stable identifier of a SCIM target for `StateTarget.id`, derived from its base URL: scheme and
 * host lower-cased, default port dropped, trailing slashes removed, query and fragment ignored,
 * then hashed (so the state file does not spell out the URL, and never any credentials in it).
 *
 * Two spellings of one endpoint give the same fingerprint; a different host, port or path gives
 * another.
 *
 * @example
 * ```ts
 * targetFingerprint('https://Gateway.Aquera.com/scim/v2/'); // same as 'https://gateway.aquera.com/scim/v2'
 * ```
 */
export function targetFingerprint(baseUrl: string): string {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  const canonical = `${url.protocol}//${url.host}${path}`;
  return `url-sha256:${createHash('sha256').update(canonical).digest('base64url').slice(0, 22)}`;
}
