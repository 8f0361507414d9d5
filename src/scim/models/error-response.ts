import { z } from 'zod';
import { SCHEMAS } from '../schemas';
import { HttpStatus } from './common';
import { messageSchemas } from './message-schemas';
import { parseDocument } from './parse-document';
import type { ParseOptions } from './parse-options';

/**
 * A SCIM error response body (RFC 7644 section 3.12): the HTTP `status` as a string (a number, as
 * some services send it, is accepted and kept as a string), an optional `scimType` keyword such as
 * `uniqueness` or `invalidFilter`, and a human-readable `detail`.
 *
 * @example
 * ```ts
 * const body: ScimErrorResponse = {
 *   schemas: [SCHEMAS.Error],
 *   status: '409',
 *   scimType: 'uniqueness',
 *   detail: 'userName is already taken',
 * };
 * ```
 */
export const ScimErrorResponse = z.looseObject({
  schemas: messageSchemas(SCHEMAS.Error),
  status: HttpStatus,
  scimType: z.string().optional(),
  detail: z.string().optional(),
});
/** A SCIM error response body. */
export type ScimErrorResponse = z.infer<typeof ScimErrorResponse>;

const LenientScimErrorResponse = z.looseObject({
  status: z
    .union([z.string(), z.number()])
    .transform((status) => String(status))
    .optional(),
});

/**
 * Reads a SCIM error response body. In lenient mode nothing is required, so that any error body a
 * service sends can be reported; a numeric `status` still becomes a string.
 *
 * @throws ScimValidationError naming the path of each problem.
 *
 * @example
 * ```ts
 * const problem = parseErrorResponse(error.response.data, { mode: 'lenient' });
 * console.error(problem.status, problem.scimType, problem.detail);
 * ```
 */
export function parseErrorResponse(input: unknown, options?: ParseOptions): ScimErrorResponse {
  return parseDocument(
    'Error',
    input,
    { strict: ScimErrorResponse, lenient: LenientScimErrorResponse },
    options,
  );
}
