import { z } from 'zod';
import { Meta } from './common';
import { parseDocument } from './parse-document';
import type { ParseOptions } from './parse-options';

/** A schema extension a resource type allows or requires (RFC 7643 section 6). */
export const SchemaExtension = z.looseObject({
  schema: z.string().min(1),
  required: z.boolean(),
});
/** A schema extension of a resource type. */
export type SchemaExtension = z.infer<typeof SchemaExtension>;

/**
 * A resource type a service provider offers (RFC 7643 section 6, `GET /ResourceTypes`): its name,
 * endpoint relative to the base URL, core schema URN and schema extensions.
 *
 * @example
 * ```ts
 * const types = parseListResponse(response.data, parseResourceType);
 * const users = types.Resources.find((type) => type.name === 'User');
 * ```
 */
export const ResourceType = z.looseObject({
  schemas: z.array(z.string()).optional(),
  id: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  endpoint: z.string().min(1),
  schema: z.string().min(1),
  schemaExtensions: z.array(SchemaExtension).optional(),
  meta: Meta.optional(),
});
/** A resource type. */
export type ResourceType = z.infer<typeof ResourceType>;

const LenientResourceType = z.looseObject({
  endpoint: z.string(),
  schema: z.string(),
});

/**
 * Reads one resource type. Lenient mode requires only `endpoint` and `schema`; `requireId` does not
 * apply (a resource type's `id` is optional in RFC 7643).
 *
 * @throws ScimValidationError naming the path of each problem, e.g. `schemaExtensions[0].schema`.
 *
 * @example
 * ```ts
 * const userType = parseResourceType(response.data);
 * ```
 */
export function parseResourceType(input: unknown, options?: ParseOptions): ResourceType {
  return parseDocument(
    'ResourceType',
    input,
    { strict: ResourceType, lenient: LenientResourceType },
    options,
  );
}
