import { registerScimErrorName, ScimError } from '../../scim/errors/ScimError';

/**
 * What is wrong with a mapping (found by `compileMapping`, before anything is written) or with one
 * source object's value (found by `mapUser`/`mapGroup`, for that object only):
 *
 * - `invalidPath`: the key is not a SCIM attribute path this mapping supports;
 * - `invalidRule`: the rule is malformed (no `from`, an unknown transform, a bad `default`);
 * - `duplicate`: two keys name the same target attribute;
 * - `reserved`: the attribute is managed by the engine or is a secret (`id`, `meta`, `schemas`,
 *   `active`, `groups`, `members`, `password`);
 * - `unknownSchema`: the key's schema URN is not one the target publishes;
 * - `unknownAttribute`: the target's schema has no such attribute or sub-attribute;
 * - `wrongType`: the path does not fit the attribute's type (a complex attribute without a
 *   sub-attribute, a sub-attribute of a simple one, a multi-valued complex attribute without a
 *   value filter, a `default` of the wrong type);
 * - `readOnly`: the target attribute's mutability is `readOnly`;
 * - `immutable`: the attribute can only be set on create: use `createOnly: true`;
 * - `writeOnly`: the attribute is write-only (a secret); the SDK does not provision secrets;
 * - `missingRequired`: a required attribute is not mapped (`userName`), or a source object has no
 *   value for it;
 * - `invalidValue`: a source value cannot be converted to the attribute's type, or a custom
 *   transform threw.
 */
export type MappingErrorCode =
  | 'invalidPath'
  | 'invalidRule'
  | 'duplicate'
  | 'reserved'
  | 'unknownSchema'
  | 'unknownAttribute'
  | 'wrongType'
  | 'readOnly'
  | 'immutable'
  | 'writeOnly'
  | 'missingRequired'
  | 'invalidValue';

/**
 * A mapping is wrong, or a source object's value cannot be mapped. The message names the mapping
 * key and what is wrong; it never contains source values.
 *
 * @example
 * ```ts
 * try {
 *   compileMapping({ 'meta.created': 'whenCreated' }, { schemas });
 * } catch (error) {
 *   if (isMappingError(error)) console.error(error.attribute, error.code); // 'meta.created' 'reserved'
 * }
 * ```
 */
export class MappingError extends ScimError {
  override name = 'MappingError';
  /** What kind of problem this is. */
  readonly code: MappingErrorCode;
  /** The mapping key concerned, as written in the mapping. */
  readonly attribute: string;
  /** The source object concerned, for errors found while mapping one object. */
  readonly sourceId: string | undefined;

  constructor(
    code: MappingErrorCode,
    attribute: string,
    message: string,
    options?: { sourceId?: string; cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.attribute = attribute;
    this.sourceId = options?.sourceId;
  }
}
registerScimErrorName('MappingError');

/** True when `value` is a {@link MappingError} from any copy of this package. */
export function isMappingError(value: unknown): value is MappingError {
  return value instanceof Error && value.name === 'MappingError';
}
