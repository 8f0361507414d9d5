/**
 * SP-initiated SSO: the application's own sign-in URL, which sends the user to the IdP.
 *
 * @module
 */
import { SsoLinkError } from '../errors/SsoLinkError';
import { checkHttpUrl, checkOptionalText } from './values';

/** Options of {@link spInitiatedUrl}. */
export interface SpInitiatedOptions {
  /**
   * The application's sign-in (SSO start) URL, which starts the SAML request to the IdP:
   * `https://app.example.com/saml/login`. Query parameters it already has are kept.
   */
  readonly signInUrl: string;
  /**
   * Where the application should take the user after sign-in, sent in `relayStateParameter`.
   * @default none
   */
  readonly relayState?: string;
  /**
   * The query parameter in which the application takes the target, or `null` when it takes none
   * (then giving `relayState` is an error rather than a link that silently loses it).
   * @default 'RelayState'
   */
  readonly relayStateParameter?: string | null;
}

/**
 * The URL that starts SP-initiated SSO: `signInUrl`, with the target in `relayStateParameter` when
 * one is given, URL-encoded.
 *
 * @throws SsoLinkError naming `signInUrl`, `relayState` or `relayStateParameter`.
 * @example
 * ```ts
 * import { spInitiatedUrl } from 'aquera-provisioner/sso';
 *
 * spInitiatedUrl({ signInUrl: 'https://app.example.com/saml/login', relayState: '/reports?year=2025' });
 * // 'https://app.example.com/saml/login?RelayState=%2Freports%3Fyear%3D2025'
 * ```
 */
export function spInitiatedUrl(options: SpInitiatedOptions): string {
  const url = checkHttpUrl(options.signInUrl, 'signInUrl');
  const relayState = checkOptionalText(options.relayState, 'relayState');
  const parameter = options.relayStateParameter === undefined ? 'RelayState' : options.relayStateParameter;
  if (parameter !== null && (typeof parameter !== 'string' || parameter.trim() === '')) {
    throw new SsoLinkError(
      'relayStateParameter',
      'must be a query parameter name, or null when the application takes none',
    );
  }
  if (relayState !== undefined) {
    if (parameter === null) {
      throw new SsoLinkError(
        'relayState',
        'cannot be sent: the application takes no target (relayStateParameter is null)',
      );
    }
    url.searchParams.set(parameter, relayState);
  }
  return url.href;
}
