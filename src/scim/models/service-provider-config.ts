import { z } from 'zod';
import { Meta } from './common';
import { parseDocument } from './parse-document';
import type { ParseOptions } from './parse-options';

/** Whether an optional feature is supported (`patch`, `changePassword`, `sort`, `etag`). */
export const SupportedFeature = z.looseObject({ supported: z.boolean() });
/** `{ supported: boolean }`. */
export type SupportedFeature = z.infer<typeof SupportedFeature>;

/** Bulk support (RFC 7643 section 5): whether, and the limits on operations and payload bytes. */
export const BulkSupport = z.looseObject({
  supported: z.boolean(),
  maxOperations: z.number().int().nonnegative(),
  maxPayloadSize: z.number().int().nonnegative(),
});
/** Bulk support and its limits. */
export type BulkSupport = z.infer<typeof BulkSupport>;

/** Filter support (RFC 7643 section 5): whether, and the most resources a response returns. */
export const FilterSupport = z.looseObject({
  supported: z.boolean(),
  maxResults: z.number().int().nonnegative(),
});
/** Filter support and its limit. */
export type FilterSupport = z.infer<typeof FilterSupport>;

/**
 * An authentication scheme the service supports (RFC 7643 section 5), e.g. type `oauthbearertoken`
 * or `httpbasic`.
 */
export const AuthenticationScheme = z.looseObject({
  type: z.string(),
  name: z.string(),
  description: z.string(),
  specUri: z.string().optional(),
  documentationUri: z.string().optional(),
  primary: z.boolean().optional(),
});
/** An authentication scheme the service supports. */
export type AuthenticationScheme = z.infer<typeof AuthenticationScheme>;

/** How a service pages results (RFC 9865 section 4): index (`startIndex`/`count`) or cursor. */
export const PaginationMethod = z.enum(['index', 'cursor']);
/** `'index' | 'cursor'`. */
export type PaginationMethod = z.infer<typeof PaginationMethod>;

/**
 * Pagination support (RFC 9865 section 4): which methods, the default one, page sizes, and how
 * long a cursor stays valid (seconds).
 */
export const PaginationSupport = z.looseObject({
  cursor: z.boolean().optional(),
  index: z.boolean().optional(),
  defaultPaginationMethod: PaginationMethod.optional(),
  defaultPageSize: z.number().int().nonnegative().optional(),
  maxPageSize: z.number().int().nonnegative().optional(),
  cursorTimeout: z.number().int().nonnegative().optional(),
});
/** Pagination support. */
export type PaginationSupport = z.infer<typeof PaginationSupport>;

/**
 * What a service provider supports (RFC 7643 section 5, `GET /ServiceProviderConfig`), with the
 * `pagination` block of RFC 9865.
 *
 * @example
 * ```ts
 * const config = parseServiceProviderConfig(response.data, { mode: 'lenient' });
 * const canPatch = config.patch?.supported === true;
 * ```
 */
export const ServiceProviderConfig = z.looseObject({
  schemas: z.array(z.string()).optional(),
  documentationUri: z.string().optional(),
  patch: SupportedFeature,
  bulk: BulkSupport,
  filter: FilterSupport,
  changePassword: SupportedFeature,
  sort: SupportedFeature,
  etag: SupportedFeature,
  authenticationSchemes: z.array(AuthenticationScheme),
  pagination: PaginationSupport.optional(),
  meta: Meta.optional(),
});
/** What a service provider supports. */
export type ServiceProviderConfig = z.infer<typeof ServiceProviderConfig>;

const LenientServiceProviderConfig = z.looseObject({});

/**
 * Reads a ServiceProviderConfig. Strict mode requires every block RFC 7643 marks as required; in
 * lenient mode nothing is required and the blocks are kept as sent, so check each before use.
 * `"True"`/`"False"` strings are read as booleans in both modes.
 *
 * @throws ScimValidationError naming the path of each problem, e.g. `bulk.maxOperations: required`.
 *
 * @example
 * ```ts
 * const config = parseServiceProviderConfig(response.data);
 * if (config.filter.supported) console.log('filters up to', config.filter.maxResults);
 * ```
 */
export function parseServiceProviderConfig(input: unknown, options?: ParseOptions): ServiceProviderConfig {
  return parseDocument(
    'ServiceProviderConfig',
    input,
    { strict: ServiceProviderConfig, lenient: LenientServiceProviderConfig },
    options,
  );
}
