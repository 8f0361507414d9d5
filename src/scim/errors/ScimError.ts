/**
 * Root of every error this package throws about SCIM: protocol, validation, HTTP, network.
 *
 * Type guards compare `name` rather than using `instanceof`, so they work across realms and
 * across two copies of the package (ESM and CJS) loaded in one process.
 *
 * @example
 * ```ts
 * try {
 *   await client.users.get(id);
 * } catch (error) {
 *   if (isScimError(error)) console.error(error.name, error.message);
 * }
 * ```
 */
export class ScimError extends Error {
  override name = 'ScimError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

const SCIM_ERROR_NAMES = new Set<string>();

/** @internal Registers a subclass name so that {@link isScimError} recognises it. */
export function registerScimErrorName(name: string): void {
  SCIM_ERROR_NAMES.add(name);
}
registerScimErrorName('ScimError');

/** True for any error of this package's SCIM error family, whichever copy of the package made it. */
export function isScimError(value: unknown): value is ScimError {
  return value instanceof Error && SCIM_ERROR_NAMES.has(value.name);
}
