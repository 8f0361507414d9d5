/**
 * The schema and message URNs of RFC 7643 and RFC 7644.
 *
 * @example
 * ```ts
 * const user = { schemas: [SCHEMAS.User, SCHEMAS.EnterpriseUser], userName: 'bjensen' };
 * ```
 */
export const SCHEMAS = {
  User: 'urn:ietf:params:scim:schemas:core:2.0:User',
  Group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  EnterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  ServiceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  ResourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  Schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
  ListResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  PatchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  Error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  BulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  BulkResponse: 'urn:ietf:params:scim:api:messages:2.0:BulkResponse',
  SearchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
} as const;

/** One of the URNs in {@link SCHEMAS}. */
export type SchemaUrn = (typeof SCHEMAS)[keyof typeof SCHEMAS];
