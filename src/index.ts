/**
 * aquera-provisioner: keep a SCIM 2.0 service (Aquera's SCIM gateway, or any RFC 7644 service
 * provider) in step with a directory.
 *
 * This barrel lists every export by name. Deliberately not exported here: `src/internal/`
 * (private helpers) and `src/testing/` (the `aquera-provisioner/testing` subpath).
 *
 * @packageDocumentation
 */

// scim/: errors
export { isScimError, ScimError } from './scim/errors/ScimError';
export type { ScimType } from './scim/errors/ScimProtocolError';
export { isScimProtocolError, ScimProtocolError } from './scim/errors/ScimProtocolError';
export type { ScimValidationIssue } from './scim/errors/ScimValidationError';
export { isScimValidationError, ScimValidationError } from './scim/errors/ScimValidationError';
export type {
  AndFilter,
  AttributePath,
  CompareFilter,
  CompareOperator,
  CompareValue,
  FilterNode,
  NotFilter,
  OrFilter,
  PatchPath,
  PresentFilter,
  ValuePathFilter,
} from './scim/filter/ast';
export type { SchemaUrn } from './scim/schemas';
// scim/: constants and filter syntax
export { SCHEMAS } from './scim/schemas';
