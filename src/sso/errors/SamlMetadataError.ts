import { registerSsoErrorName, SsoError } from './SsoError';

/**
 * Why a SAML metadata document was refused:
 *
 * - `tooLarge`: the document is longer than `maxBytes` (checked on its UTF-8 byte length, before
 *   anything is parsed);
 * - `dtdForbidden`: the document holds a `<!DOCTYPE` or `<!ENTITY` declaration; DTDs are never
 *   processed, so external entities and entity expansion (billion laughs) cannot happen;
 * - `malformed`: not well-formed XML;
 * - `notMetadata`: well-formed, but its root is not a SAML 2.0 `EntityDescriptor` or
 *   `EntitiesDescriptor`, or an entity has no `entityID`;
 * - `entityNotFound`: no entity with the `entityId` asked for (or an `EntitiesDescriptor` holds
 *   several and none was asked for);
 * - `roleNotFound`: the entity has no SP (`SPSSODescriptor`) or IdP (`IDPSSODescriptor`) role where
 *   one was required;
 * - `invalidCertificate`: an `X509Certificate` is not a readable certificate.
 */
export type SamlMetadataErrorCode =
  | 'tooLarge'
  | 'dtdForbidden'
  | 'malformed'
  | 'notMetadata'
  | 'entityNotFound'
  | 'roleNotFound'
  | 'invalidCertificate';

/**
 * A SAML metadata document could not be used. `code` says why; the message says what was found
 * (sizes, element names, entity ids), never the document itself.
 *
 * @example
 * ```ts
 * try {
 *   readSamlMetadata(xml, { entityId: 'https://app.example.com/saml' });
 * } catch (error) {
 *   if (isSamlMetadataError(error) && error.code === 'entityNotFound') console.error(error.message);
 * }
 * ```
 */
export class SamlMetadataError extends SsoError {
  override name = 'SamlMetadataError';
  /** Why the document was refused. */
  readonly code: SamlMetadataErrorCode;

  constructor(code: SamlMetadataErrorCode, message: string, options?: { cause?: unknown }) {
    super(`SAML metadata: ${message}`, options);
    this.code = code;
  }
}
registerSsoErrorName('SamlMetadataError');

/** True when `value` is a {@link SamlMetadataError} from any copy of this package. */
export function isSamlMetadataError(value: unknown): value is SamlMetadataError {
  return value instanceof Error && value.name === 'SamlMetadataError';
}
