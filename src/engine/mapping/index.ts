/**
 * Attribute mapping: source object -> SCIM resource, checked up front against the target's schemas.
 *
 * @module
 */
export type { CompiledMapping, CompiledRule, CompileMappingOptions, MappingResourceType } from './compile';
export { compileMapping } from './compile';
export { ACTIVE_DIRECTORY_USER_MAPPING, DEFAULT_GROUP_MAPPING, LDAPV3_USER_MAPPING } from './defaults';
export { driftedAttributes } from './drift';
export { STABLE_HASH_LENGTH, stableHash } from './hash';
export type { MappingErrorCode } from './MappingError';
export { isMappingError, MappingError } from './MappingError';
export type { MapOptions, MappedResource } from './map';
export { mapGroup, mapUser } from './map';
export type { ValueFilterCondition } from './mapping-path';
export type { ClearMode, MergeInput, MergeOptions } from './merge';
export { mergeForReplace } from './merge';
export type {
  AttributeMapping,
  BuiltInTransform,
  CustomTransform,
  MappedResourceBody,
  MappedScalar,
  MappedValue,
  MappingRule,
  MappingSource,
  MappingTransform,
  TransformContext,
  TransformResult,
} from './types';
