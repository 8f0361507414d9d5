/**
 * The SCIM 2.0 models: zod schemas (each with its inferred type under the same name) and the parse
 * functions that normalise and validate documents from real services.
 *
 * Deliberately not re-exported: `parse-document.ts`, `message-schemas.ts` and `deep-freeze.ts`
 * (internal helpers).
 *
 * A zod schema and its inferred type share one name, so each `export { X }` below exports both.
 *
 * @module
 */
export {
  BulkMethod,
  BulkOperation,
  BulkOperationResult,
  BulkRequest,
  BulkResponse,
  parseBulkRequest,
  parseBulkResponse,
} from './bulk';
export { HttpStatus, Meta, MultiValuedAttribute, ResourceId, ScimDateTime } from './common';
export {
  CORE_SCHEMAS,
  ENTERPRISE_USER_SCHEMA,
  findAttributeDefinition,
  GROUP_SCHEMA,
  USER_SCHEMA,
} from './core-schemas';
export { EnterpriseManager, EnterpriseUser } from './enterprise-user';
export { parseErrorResponse, ScimErrorResponse } from './error-response';
export { GroupMember, parseGroup, ScimGroup } from './group';
export { ListResponse, parseListResponse } from './list-response';
export type { ParseMode, ParseOptions, ResolvedParseOptions } from './parse-options';
export { resolveParseOptions } from './parse-options';
export { PatchOp, PatchOperation, PatchOperationType, parsePatchOp } from './patch-op';
export { parseResourceType, ResourceType, SchemaExtension } from './resource-type';
export {
  AttributeType,
  Mutability,
  parseSchema,
  Returned,
  SchemaAttribute,
  ScimSchema,
  Uniqueness,
} from './schema';
export {
  AuthenticationScheme,
  BulkSupport,
  FilterSupport,
  PaginationMethod,
  PaginationSupport,
  parseServiceProviderConfig,
  ServiceProviderConfig,
  SupportedFeature,
} from './service-provider-config';
export {
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  SERVICE_PROVIDER_SCHEMAS,
} from './service-provider-schemas';
export { parseUser, ScimAddress, ScimName, ScimUser, ScimUserGroup } from './user';
