/**
 * The discovery documents of {@link ScimTestServer}: `/ServiceProviderConfig`, `/ResourceTypes`
 * and `/Schemas` (RFC 7644 section 4, RFC 7643 sections 5 to 7, RFC 9865 pagination).
 */
import { CORE_SCHEMAS } from '../scim/models/core-schemas';
import type { ScimSchema } from '../scim/models/schema';
import { SCHEMAS } from '../scim/schemas';
import type { ScimTestServerAuth } from './auth';
import type { ResolvedQuirks } from './quirks';

/**
 * A schema extension the server declares for one of its resource types, in addition to the
 * enterprise user extension it always declares. Served at `/Schemas` and listed in the resource
 * type's `schemaExtensions`; the server stores extension attributes as sent.
 *
 * @example
 * ```ts
 * const extension: ScimTestServerSchemaExtension = {
 *   resourceType: 'User',
 *   schema: { id: 'urn:example:params:scim:schemas:extension:acme:2.0:User', name: 'AcmeUser', attributes: [] },
 * };
 * ```
 */
export interface ScimTestServerSchemaExtension {
  /** The resource type it extends. */
  readonly resourceType: 'User' | 'Group';
  /** The schema representation (RFC 7643 section 7) served at `/Schemas/{id}`. */
  readonly schema: ScimSchema;
  /**
   * Whether resources of the type must carry the extension (only declared; not enforced).
   * @default false
   */
  readonly required?: boolean;
}

/** What the discovery documents depend on. */
export interface DiscoveryContext {
  readonly baseUrl: string;
  readonly quirks: ResolvedQuirks;
  readonly auth: ScimTestServerAuth | undefined;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly cursorPagination: boolean;
  readonly extensions: readonly ScimTestServerSchemaExtension[];
}

/** `/ServiceProviderConfig`, reflecting the quirks that change what the service supports. */
export function serviceProviderConfig(context: DiscoveryContext): Record<string, unknown> {
  const { quirks, auth } = context;
  const authenticationSchemes =
    auth === undefined
      ? []
      : auth.type === 'bearer'
        ? [
            {
              type: 'oauthbearertoken',
              name: 'OAuth Bearer Token',
              description: 'Authentication scheme using the OAuth Bearer Token Standard',
              specUri: 'https://www.rfc-editor.org/info/rfc6750',
              primary: true,
            },
          ]
        : [
            {
              type: 'httpbasic',
              name: 'HTTP Basic',
              description: 'Authentication scheme using the HTTP Basic Standard',
              specUri: 'https://www.rfc-editor.org/info/rfc2617',
              primary: true,
            },
          ];
  return {
    schemas: [SCHEMAS.ServiceProviderConfig],
    documentationUri: 'https://www.npmjs.com/package/aquera-provisioner',
    patch: { supported: quirks.patchUnsupported === false },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: quirks.filterUnsupported === false, maxResults: context.maxPageSize },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: !quirks.noEtags },
    pagination: {
      cursor: context.cursorPagination,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: context.defaultPageSize,
      maxPageSize: context.maxPageSize,
      ...(context.cursorPagination ? { cursorTimeout: 3600 } : {}),
    },
    authenticationSchemes,
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${context.baseUrl}/ServiceProviderConfig`,
    },
  };
}

/** The resource types the server serves: `User` and `Group`. */
export function resourceTypes(context: DiscoveryContext): Record<string, unknown>[] {
  const extensionsOf = (type: 'User' | 'Group') => [
    ...(type === 'User' ? [{ schema: SCHEMAS.EnterpriseUser, required: false }] : []),
    ...context.extensions
      .filter((extension) => extension.resourceType === type)
      .map((extension) => ({ schema: extension.schema.id, required: extension.required ?? false })),
  ];
  return (['User', 'Group'] as const).map((type) => ({
    schemas: [SCHEMAS.ResourceType],
    id: type,
    name: type,
    endpoint: type === 'User' ? '/Users' : '/Groups',
    description: type === 'User' ? 'User Account' : 'Group',
    schema: type === 'User' ? SCHEMAS.User : SCHEMAS.Group,
    schemaExtensions: extensionsOf(type),
    meta: { resourceType: 'ResourceType', location: `${context.baseUrl}/ResourceTypes/${type}` },
  }));
}

/** The schemas the server serves: User, Group, EnterpriseUser and the configured extensions. */
export function schemas(context: DiscoveryContext): Record<string, unknown>[] {
  const all: readonly ScimSchema[] = [
    ...CORE_SCHEMAS,
    ...context.extensions.map((extension) => extension.schema),
  ];
  return all.map((schema) => ({
    ...structuredClone(schema),
    schemas: [SCHEMAS.Schema],
    meta: { resourceType: 'Schema', location: `${context.baseUrl}/Schemas/${schema.id}` },
  }));
}
