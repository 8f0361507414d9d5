/**
 * Checks shared by the link builders: hosts, entity ids, URLs. Each failure is an
 * {@link SsoLinkError} naming the option.
 *
 * @module
 */
import net from 'node:net';
import { domainToASCII } from 'node:url';
import { SsoLinkError } from '../errors/SsoLinkError';

/** The longest entityID SAML allows (saml-core-2.0-os, 8.3.6). */
const MAX_ENTITY_ID_LENGTH = 1024;

/**
 * `HOST[:PORT]` -> the authority to put in a URL (`sso.example.com:9031`, `[2001:db8::1]:9031`).
 * A host name (international names are turned into their `xn--` form), an IPv4 address, or an IPv6
 * address (in brackets when a port follows); the port from 1 to 65535. No scheme, path, query,
 * fragment or user name.
 *
 * @throws SsoLinkError naming `field`.
 */
export function checkHost(value: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new SsoLinkError(field, 'is required (HOST or HOST:PORT)');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new SsoLinkError(
      field,
      'must be a host name with an optional port, without a scheme such as https://',
    );
  }
  if (/[/?#@\\\s]/.test(value)) {
    throw new SsoLinkError(
      field,
      'must be a host name with an optional port: no path, query, fragment, user name or spaces',
    );
  }
  let host = value;
  let port: string | undefined;
  if (net.isIPv6(value)) {
    host = value;
  } else if (value.startsWith('[')) {
    const match = /^\[([^\]]+)\](?::(.*))?$/.exec(value);
    if (match === null || !net.isIPv6(match[1] ?? ''))
      throw new SsoLinkError(field, 'is not a valid [IPv6]:PORT');
    host = match[1] ?? '';
    port = match[2];
  } else {
    const colon = value.lastIndexOf(':');
    if (colon >= 0) {
      host = value.slice(0, colon);
      port = value.slice(colon + 1);
    }
  }
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65_535)) {
    throw new SsoLinkError(field, 'has a port that is not a number from 1 to 65535');
  }
  const suffix = port === undefined ? '' : `:${Number(port)}`;
  if (net.isIPv6(host)) return `[${host.toLowerCase()}]${suffix}`;
  if (net.isIPv4(host)) return `${host}${suffix}`;
  const ascii = domainToASCII(host);
  if (ascii === '' || !isHostName(ascii)) {
    throw new SsoLinkError(field, 'is not a valid host name or IP address');
  }
  return `${ascii}${suffix}`;
}

function isHostName(value: string): boolean {
  if (value.length > 253) return false;
  const labels = value.replace(/\.$/, '').split('.');
  if (labels.every((label) => /^\d+$/.test(label))) return false; // a malformed IPv4 address
  return labels.every((label) => /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i.test(label));
}

/**
 * An entity id: any text, kept exactly as given (it is compared exactly by the IdP), but not empty
 * or blank, and at most 1024 characters.
 *
 * @throws SsoLinkError naming `field`.
 */
export function checkEntityId(value: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new SsoLinkError(field, 'is required (the SP entity ID)');
  if (value.length > MAX_ENTITY_ID_LENGTH) {
    throw new SsoLinkError(
      field,
      `is longer than the ${MAX_ENTITY_ID_LENGTH} characters SAML allows for an entity ID`,
    );
  }
  return value;
}

/** An optional RelayState-like value: absent, or non-blank text. @throws SsoLinkError naming `field`. */
export function checkOptionalText(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new SsoLinkError(field, 'must not be empty when given');
  return value;
}

/**
 * An absolute `https://` (or `http://`) URL without user name or fragment.
 *
 * @throws SsoLinkError naming `field`.
 */
export function checkHttpUrl(value: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SsoLinkError(field, 'is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new SsoLinkError(field, 'must be an https:// URL');
  if (url.username !== '' || url.password !== '')
    throw new SsoLinkError(field, 'must not hold a user name or password');
  if (url.hash !== '') throw new SsoLinkError(field, 'must not have a #fragment');
  return url;
}
