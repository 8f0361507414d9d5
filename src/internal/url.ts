/**
 * URL helpers shared by the client: loopback detection and joining a base URL with a path.
 */
import { isIP } from 'node:net';

/**
 * True when `hostname` (as `URL.hostname` gives it) is the local machine: `localhost` (and
 * `*.localhost`), any address in 127.0.0.0/8, `::1`, or an IPv4-mapped loopback address.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice('::ffff:'.length) : host;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * `base` (whose path is kept) joined with `path`, with exactly one slash between them, and the
 * query parameters appended in order (undefined values are left out).
 *
 * @example
 * ```ts
 * joinUrl('https://scim.example.com/v2/', '/Users', { filter: 'userName eq "a"' });
 * // 'https://scim.example.com/v2/Users?filter=userName%20eq%20%22a%22'
 * ```
 */
export function joinUrl(
  base: string,
  path: string,
  query?: Readonly<Record<string, string | number | undefined>>,
): string {
  const trimmedBase = base.replace(/\/+$/, '');
  const trimmedPath = path.replace(/^\/+/, '');
  let url = trimmedPath === '' ? trimmedBase : `${trimmedBase}/${trimmedPath}`;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  if (parts.length > 0) url += (url.includes('?') ? '&' : '?') + parts.join('&');
  return url;
}
