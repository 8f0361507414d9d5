/**
 * Root of every error this package throws about a datastore (a source of users and groups):
 * configuration, connection, authentication, reads.
 *
 * Kept apart from the SCIM errors: the datastore layer knows nothing of SCIM. Type guards compare
 * `name` rather than using `instanceof`, so they work across realms and across two copies of the
 * package (ESM and CJS) loaded in one process.
 *
 * @example
 * ```ts
 * try {
 *   for await (const user of datastore.users()) handle(user);
 * } catch (error) {
 *   if (isDatastoreError(error)) console.error(error.name, error.message);
 * }
 * ```
 */
export class DatastoreError extends Error {
  override name = 'DatastoreError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

const DATASTORE_ERROR_NAMES = new Set<string>();

/** @internal Registers a subclass name so that {@link isDatastoreError} recognises it. */
export function registerDatastoreErrorName(name: string): void {
  DATASTORE_ERROR_NAMES.add(name);
}
registerDatastoreErrorName('DatastoreError');

/** True for any error of this package's datastore error family, whichever copy of the package made it. */
export function isDatastoreError(value: unknown): value is DatastoreError {
  return value instanceof Error && DATASTORE_ERROR_NAMES.has(value.name);
}
