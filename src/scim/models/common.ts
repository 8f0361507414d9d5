import { z } from 'zod';

/**
 * An xsd:dateTime as RFC 7643 section 2.3.5 requires, e.g. `2010-01-23T04:56:22Z` or
 * `2011-05-13T04:42:34.123+02:00` (fractional seconds and the zone are optional).
 */
const XSD_DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** A SCIM `dateTime` value (RFC 7643 section 2.3.5), kept as the string that was sent. */
export const ScimDateTime = z.string().regex(XSD_DATE_TIME, { message: 'expected an xsd:dateTime' });
/** A SCIM `dateTime` string such as `2010-01-23T04:56:22Z`. */
export type ScimDateTime = z.infer<typeof ScimDateTime>;

/** A resource `id` (RFC 7643 section 3.1): a non-empty string assigned by the service provider. */
export const ResourceId = z.string().min(1);
/** A resource `id`. */
export type ResourceId = z.infer<typeof ResourceId>;

/**
 * A resource `id` as lenient parsing reads it: a string, or a number (some services send numeric
 * ids), which is converted to its decimal string.
 */
export const LenientResourceId = z.union([z.string().min(1), z.number()]).transform((id) => String(id));

/**
 * The `meta` attribute of a resource (RFC 7643 section 3.1): resource type, creation and
 * modification times, location URI and version (the ETag, e.g. `W/"3694e05e9dff591"`).
 */
export const Meta = z.looseObject({
  resourceType: z.string().optional(),
  created: ScimDateTime.optional(),
  lastModified: ScimDateTime.optional(),
  location: z.string().optional(),
  version: z.string().optional(),
});
/** The `meta` attribute of a resource. */
export type Meta = z.infer<typeof Meta>;

/**
 * One value of a multi-valued attribute with the standard sub-attributes of RFC 7643 section 2.4:
 * `emails`, `phoneNumbers`, `ims`, `photos`, `entitlements`, `roles`, `x509Certificates`.
 *
 * @example
 * ```ts
 * const email: MultiValuedAttribute = { value: 'bjensen@example.com', type: 'work', primary: true };
 * ```
 */
export const MultiValuedAttribute = z.looseObject({
  value: z.string().optional(),
  display: z.string().optional(),
  type: z.string().optional(),
  primary: z.boolean().optional(),
  $ref: z.string().optional(),
});
/** One value of a multi-valued attribute (`value`, `display`, `type`, `primary`, `$ref`). */
export type MultiValuedAttribute = z.infer<typeof MultiValuedAttribute>;

/**
 * The attributes every SCIM resource has (RFC 7643 section 3.1). `id` is optional here because a
 * resource about to be created has none; the parse functions require it unless told otherwise.
 * `schemas` is optional because a response that selects attributes (`?attributes=userName`) may
 * leave it out, as RFC 7644 section 3.4.2 shows.
 */
export const resourceAttributes = {
  schemas: z.array(z.string()).optional(),
  id: ResourceId.optional(),
  externalId: z.string().optional(),
  meta: Meta.optional(),
};

/** An HTTP status as SCIM messages carry it: a string per RFC 7644; a number is accepted and kept as a string. */
export const HttpStatus = z
  .union([z.string().regex(/^\d{3}$/, { message: 'expected a three-digit HTTP status' }), z.number().int()])
  .transform((status) => String(status));
