/**
 * IdP-initiated SSO at PingOne: `/{environmentId}/saml20/idp/startsso`.
 *
 * @module
 */
import { SsoLinkError } from '../errors/SsoLinkError';
import { checkEntityId, checkHttpUrl, checkOptionalText } from './values';

/**
 * PingOne's authentication host by region (the top-level domain of the environment's region):
 * North America `com`, Europe `eu`, Canada `ca`, Australia `com.au`, Singapore `sg`, and the
 * legacy Asia-Pacific `asia`.
 */
export const PINGONE_AUTH_HOSTS = Object.freeze({
  com: 'https://auth.pingone.com',
  eu: 'https://auth.pingone.eu',
  ca: 'https://auth.pingone.ca',
  'com.au': 'https://auth.pingone.com.au',
  sg: 'https://auth.pingone.sg',
  asia: 'https://auth.pingone.asia',
} as const);

/** A PingOne region, by its top-level domain: a key of {@link PINGONE_AUTH_HOSTS}. */
export type PingOneRegion = keyof typeof PINGONE_AUTH_HOSTS;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Options of {@link pingOneIdpInitiatedUrl}. Give `region` or `authHost`, not both. */
export interface PingOneIdpInitiatedOptions {
  /**
   * The environment's region: `com`, `eu`, `ca`, `com.au`, `sg` or `asia`.
   * @default none: `authHost` must be given
   */
  readonly region?: PingOneRegion;
  /**
   * The authentication host given outright, for a custom domain: `https://sso.example.com`
   * (scheme and host, no path).
   * @default the host of `region`
   */
  readonly authHost?: string;
  /**
   * The PingOne environment ID (a UUID). Required with `region`; with a custom-domain `authHost`
   * it may be left out, as the custom domain already names the environment.
   */
  readonly environmentId?: string;
  /** The application's SP entity ID in PingOne (the Aquera application's `entityID`). Sent as `spEntityId`. */
  readonly spEntityId: string;
  /**
   * The deep link, sent as `applicationUrl`: PingOne passes it as the SAML `RelayState`, instead of
   * the application's "Target Application URL". Not necessarily a URL.
   * @default none: the application's Target Application URL, if configured
   */
  readonly applicationUrl?: string;
}

/**
 * The URL that starts IdP-initiated SSO to the application at PingOne:
 * `AUTH_HOST/ENV_ID/saml20/idp/startsso?spEntityId=ENTITY_ID[&applicationUrl=…]`, every value
 * URL-encoded.
 *
 * @throws SsoLinkError naming `region`, `authHost`, `environmentId`, `spEntityId` or
 *   `applicationUrl` when one is malformed or missing.
 * @example
 * ```ts
 * import { pingOneIdpInitiatedUrl } from 'aquera-provisioner/sso';
 *
 * pingOneIdpInitiatedUrl({
 *   region: 'eu',
 *   environmentId: '2b7a3c4d-1111-4abc-8def-0123456789ab',
 *   spEntityId: 'https://app.example.com/saml',
 * });
 * // 'https://auth.pingone.eu/2b7a3c4d-1111-4abc-8def-0123456789ab/saml20/idp/startsso?spEntityId=https%3A%2F%2Fapp.example.com%2Fsaml'
 * ```
 */
export function pingOneIdpInitiatedUrl(options: PingOneIdpInitiatedOptions): string {
  const base = authBase(options);
  const environmentId = options.environmentId;
  if (environmentId !== undefined && !UUID.test(environmentId)) {
    throw new SsoLinkError('environmentId', 'must be a UUID such as 2b7a3c4d-1111-4abc-8def-0123456789ab');
  }
  if (environmentId === undefined && options.authHost === undefined) {
    throw new SsoLinkError('environmentId', 'is required with region (the environment ID, a UUID)');
  }
  const spEntityId = checkEntityId(options.spEntityId, 'spEntityId');
  const applicationUrl = checkOptionalText(options.applicationUrl, 'applicationUrl');
  const url = new URL(
    `${base}/${environmentId === undefined ? '' : `${environmentId.toLowerCase()}/`}saml20/idp/startsso`,
  );
  url.searchParams.set('spEntityId', spEntityId);
  if (applicationUrl !== undefined) url.searchParams.set('applicationUrl', applicationUrl);
  return url.href;
}

function authBase(options: PingOneIdpInitiatedOptions): string {
  if (options.region !== undefined && options.authHost !== undefined) {
    throw new SsoLinkError('authHost', 'give region or authHost, not both');
  }
  if (options.region !== undefined) {
    if (!Object.hasOwn(PINGONE_AUTH_HOSTS, options.region)) {
      throw new SsoLinkError('region', `must be one of ${Object.keys(PINGONE_AUTH_HOSTS).join(', ')}`);
    }
    return PINGONE_AUTH_HOSTS[options.region];
  }
  if (options.authHost === undefined) {
    throw new SsoLinkError(
      'region',
      `is required (one of ${Object.keys(PINGONE_AUTH_HOSTS).join(', ')}), or give authHost`,
    );
  }
  const url = checkHttpUrl(options.authHost, 'authHost');
  if (url.protocol !== 'https:') throw new SsoLinkError('authHost', 'must be an https:// URL');
  if (url.pathname !== '/' || url.search !== '') {
    throw new SsoLinkError(
      'authHost',
      'must be a scheme and host only (https://sso.example.com), without a path or query',
    );
  }
  return url.origin;
}
