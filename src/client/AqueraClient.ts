import type { ScimClientOptions } from './options';
import { ScimClient } from './ScimClient';

/**
 * Options of {@link AqueraClient}: those of {@link ScimClientOptions}, with `url` (the "SCIM URL" of
 * an Aquera application) in place of `baseUrl`.
 */
export interface AqueraClientOptions extends Omit<ScimClientOptions, 'baseUrl'> {
  /**
   * The SCIM URL that Aquera shows for the application (Applications page, the application,
   * "Copy this URL"). It is accepted with or without a trailing slash and with or without the
   * final `/v2`; see {@link normalizeAqueraUrl}.
   */
  readonly url: string;
  /**
   * Whether to add `/v2` when the URL does not end with it. Turn off only for a URL whose SCIM
   * endpoints are not under `/v2`.
   * @default true
   */
  readonly appendV2?: boolean;
}

/** The last path segments that name a SCIM endpoint rather than the base, removed when pasted. */
const ENDPOINT_SEGMENTS = /\/(Users|Groups|ServiceProviderConfigs?|Schemas|ResourceTypes|Bulk|Me)$/i;

/**
 * The SCIM base URL for an Aquera SCIM URL: surrounding spaces and trailing slashes removed, a
 * pasted endpoint (`…/v2/Users`) cut back to the base, and `/v2` added when the URL does not end
 * with it (SCIM 2.0 services put their endpoints under `/v2`, and Aquera's gateway is one). The
 * scheme, host, port and the rest of the path are kept as given.
 *
 * @throws TypeError naming the `url` option when the URL is not an absolute http(s) URL.
 * @example
 * ```ts
 * normalizeAqueraUrl('https://tenant.aquera.example/scim/app123/');   // 'https://tenant.aquera.example/scim/app123/v2'
 * normalizeAqueraUrl('https://tenant.aquera.example/scim/app123/v2/'); // 'https://tenant.aquera.example/scim/app123/v2'
 * ```
 */
export function normalizeAqueraUrl(url: string, options: { appendV2?: boolean } = {}): string {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new TypeError('AqueraClient option "url" must be the SCIM URL shown by Aquera');
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new TypeError(
      'AqueraClient option "url" must be an absolute https:// URL (the SCIM URL shown by Aquera)',
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError('AqueraClient option "url" must use https://');
  }
  let path = parsed.pathname.replace(/\/+$/, '');
  path = path.replace(ENDPOINT_SEGMENTS, '');
  if ((options.appendV2 ?? true) && !/\/v2$/i.test(path)) path = `${path}/v2`;
  parsed.pathname = path === '' ? '/' : path;
  return parsed.toString().replace(/\/+$/, '');
}

/**
 * A {@link ScimClient} with Aquera's defaults: the SCIM URL accepted as Aquera shows it (see
 * {@link normalizeAqueraUrl}), Basic or Bearer credentials as the application gives them (Aquera
 * may show both; use the bearer token then), and users always replaced with PUT (GET + local apply
 * + PUT for `users.patch`), while groups are changed with PATCH.
 *
 * @example
 * ```ts
 * const aquera = new AqueraClient({
 *   url: 'https://tenant.aquera.example/scim/app123',
 *   auth: { type: 'bearer', token: process.env.AQUERA_TOKEN! },
 * });
 * const report = await aquera.testConnection();
 * ```
 */
export class AqueraClient extends ScimClient {
  constructor(options: AqueraClientOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('AqueraClient options must be an object with "url" and "auth"');
    }
    const { url, appendV2, ...rest } = options;
    super({
      ...rest,
      baseUrl: normalizeAqueraUrl(url, appendV2 === undefined ? {} : { appendV2 }),
      patch: { users: 'emulate', ...options.patch },
    });
  }
}
