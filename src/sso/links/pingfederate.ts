/**
 * IdP-initiated SSO at PingFederate: its `/idp/startSSO.ping` endpoint.
 *
 * @module
 */
import { checkEntityId, checkHost, checkOptionalText } from './values';

/** Options of {@link pingFederateIdpInitiatedUrl}. */
export interface PingFederateIdpInitiatedOptions {
  /**
   * PingFederate's runtime host, with its port when it is not 443: `sso.example.com`,
   * `pf.example.com:9031`. No scheme, no path.
   */
  readonly host: string;
  /** The SP connection's partner entity ID: the Aquera application's `entityID`. Sent as `PartnerSpId`. */
  readonly partnerSpId: string;
  /**
   * Where the application should take the user after sign-in (a deep link). Sent as
   * `TargetResource`, which PingFederate passes to the SP as the SAML `RelayState`.
   * @default none: the SP's default landing page
   */
  readonly targetResource?: string;
}

/**
 * The URL that starts IdP-initiated SSO to the application at PingFederate:
 * `https://HOST[:PORT]/idp/startSSO.ping?PartnerSpId=ENTITY_ID[&TargetResource=…]`, every value
 * URL-encoded.
 *
 * @throws SsoLinkError naming `host`, `partnerSpId` or `targetResource` when one is malformed.
 * @example
 * ```ts
 * import { pingFederateIdpInitiatedUrl } from 'aquera-provisioner/sso';
 *
 * pingFederateIdpInitiatedUrl({
 *   host: 'pf.example.com:9031',
 *   partnerSpId: 'https://app.example.com/saml',
 *   targetResource: 'https://app.example.com/reports?year=2025',
 * });
 * // 'https://pf.example.com:9031/idp/startSSO.ping?PartnerSpId=https%3A%2F%2Fapp.example.com%2Fsaml&TargetResource=https%3A%2F%2Fapp.example.com%2Freports%3Fyear%3D2025'
 * ```
 */
export function pingFederateIdpInitiatedUrl(options: PingFederateIdpInitiatedOptions): string {
  const authority = checkHost(options.host, 'host');
  const partnerSpId = checkEntityId(options.partnerSpId, 'partnerSpId');
  const targetResource = checkOptionalText(options.targetResource, 'targetResource');
  const url = new URL(`https://${authority}/idp/startSSO.ping`);
  url.searchParams.set('PartnerSpId', partnerSpId);
  if (targetResource !== undefined) url.searchParams.set('TargetResource', targetResource);
  return url.href;
}
