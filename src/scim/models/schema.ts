import { z } from 'zod';
import { Meta } from './common';
import { parseDocument } from './parse-document';
import type { ParseOptions } from './parse-options';

/** The data types of SCIM attributes (RFC 7643 section 2.3). */
export const AttributeType = z.enum([
  'string',
  'boolean',
  'decimal',
  'integer',
  'dateTime',
  'reference',
  'binary',
  'complex',
]);
/** A SCIM attribute data type. */
export type AttributeType = z.infer<typeof AttributeType>;

/** Whether and how an attribute can be changed (RFC 7643 section 7). */
export const Mutability = z.enum(['readOnly', 'readWrite', 'immutable', 'writeOnly']);
/** `'readOnly' | 'readWrite' | 'immutable' | 'writeOnly'`. */
export type Mutability = z.infer<typeof Mutability>;

/** When an attribute is returned in a response (RFC 7643 section 7). */
export const Returned = z.enum(['always', 'never', 'default', 'request']);
/** `'always' | 'never' | 'default' | 'request'`. */
export type Returned = z.infer<typeof Returned>;

/** How unique an attribute's value must be (RFC 7643 section 7). */
export const Uniqueness = z.enum(['none', 'server', 'global']);
/** `'none' | 'server' | 'global'`. */
export type Uniqueness = z.infer<typeof Uniqueness>;

/**
 * The definition of one attribute in a schema (RFC 7643 section 7), with its sub-attributes when
 * it is `complex`. Enumerated values (`type`, `mutability`, ...) are read in any case.
 */
export const SchemaAttribute = z.looseObject({
  name: z.string().min(1),
  type: AttributeType,
  multiValued: z.boolean(),
  description: z.string().optional(),
  required: z.boolean().optional(),
  canonicalValues: z.array(z.unknown()).optional(),
  caseExact: z.boolean().optional(),
  mutability: Mutability.optional(),
  returned: Returned.optional(),
  uniqueness: Uniqueness.optional(),
  referenceTypes: z.array(z.string()).optional(),
  get subAttributes(): z.ZodOptional<z.ZodArray<typeof SchemaAttribute>> {
    return z.array(SchemaAttribute).optional();
  },
});
/** The definition of one attribute in a schema. */
export type SchemaAttribute = z.infer<typeof SchemaAttribute>;

/**
 * A schema as a service provider publishes it at `/Schemas` (RFC 7643 section 7): its URN `id`, a
 * name, a description and the definitions of its attributes.
 *
 * @example
 * ```ts
 * const schema = parseSchema(response.data);
 * console.log(schema.id, schema.attributes.map((attribute) => attribute.name));
 * ```
 */
export const ScimSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  id: z.string().min(1),
  name: z.string().optional(),
  description: z.string().optional(),
  attributes: z.array(SchemaAttribute),
  meta: Meta.optional(),
});
/** A schema definition. */
export type ScimSchema = z.infer<typeof ScimSchema>;

const LenientSchemaAttribute = z.looseObject({
  name: z.string(),
  get subAttributes(): z.ZodOptional<z.ZodArray<typeof LenientSchemaAttribute>> {
    return z.array(LenientSchemaAttribute).optional();
  },
});

const LenientScimSchema = z.looseObject({
  id: z.string(),
  attributes: z.array(LenientSchemaAttribute),
});

/**
 * Reads one schema definition. Lenient mode requires only the `id`, and `attributes` with a `name`
 * each (what mapping checks use); `requireId` does not apply (a schema's `id` is its URN, always
 * required).
 *
 * @throws ScimValidationError naming the path of each problem, e.g. `attributes[3].type`.
 *
 * @example
 * ```ts
 * const schemas = parseListResponse(response.data, parseSchema);
 * ```
 */
export function parseSchema(input: unknown, options?: ParseOptions): ScimSchema {
  return parseDocument('Schema', input, { strict: ScimSchema, lenient: LenientScimSchema }, options);
}
