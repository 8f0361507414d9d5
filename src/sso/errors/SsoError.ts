/**
 * Root of every error the `aquera-provisioner/sso` subpath throws: SAML metadata that cannot be
 * read, a link that cannot be built.
 *
 * Kept apart from the SCIM and datastore errors: browser SSO is the identity provider's exchange,
 * not a provisioning request. Type guards compare `name` rather than using `instanceof`, so they
 * work across realms and across two copies of the package (ESM and CJS) loaded in one process.
 *
 * @example
 * ```ts
 * try {
 *   readSamlMetadata(xml);
 * } catch (error) {
 *   if (isSsoError(error)) console.error(error.name, error.message);
 * }
 * ```
 */
export class SsoError extends Error {
  override name = 'SsoError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

const SSO_ERROR_NAMES = new Set<string>();

/** @internal Registers a subclass name so that {@link isSsoError} recognises it. */
export function registerSsoErrorName(name: string): void {
  SSO_ERROR_NAMES.add(name);
}
registerSsoErrorName('SsoError');

/** True for any error of this package's SSO error family, whichever copy of the package made it. */
export function isSsoError(value: unknown): value is SsoError {
  return value instanceof Error && SSO_ERROR_NAMES.has(value.name);
}
