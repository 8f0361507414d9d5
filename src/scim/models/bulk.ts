import { z } from 'zod';
import { SCHEMAS } from '../schemas';
import { HttpStatus } from './common';
import { messageSchemas } from './message-schemas';
import { parseDocument } from './parse-document';
import type { ParseOptions } from './parse-options';

/** The HTTP methods a bulk operation may use (RFC 7644 section 3.7). Read in any case. */
export const BulkMethod = z.enum(['POST', 'PUT', 'PATCH', 'DELETE']);
/** `'POST' | 'PUT' | 'PATCH' | 'DELETE'`. */
export type BulkMethod = z.infer<typeof BulkMethod>;

/**
 * One operation of a bulk request: `method`, the resource `path` (e.g. `/Users` or
 * `/Groups/e9e30dba`), a `bulkId` that later operations can refer to as `bulkId:<id>`, an optional
 * `version` (ETag) and the request body in `data`.
 */
export const BulkOperation = z.looseObject({
  method: BulkMethod,
  bulkId: z.string().optional(),
  version: z.string().optional(),
  path: z.string().min(1),
  data: z.unknown().optional(),
});
/** One operation of a bulk request. */
export type BulkOperation = z.infer<typeof BulkOperation>;

/**
 * A bulk request body (RFC 7644 section 3.7): operations, and `failOnErrors`, the number of errors
 * after which the service stops.
 *
 * @example
 * ```ts
 * const request: BulkRequest = {
 *   schemas: [SCHEMAS.BulkRequest],
 *   Operations: [{ method: 'POST', path: '/Users', bulkId: 'u1', data: { userName: 'bjensen' } }],
 * };
 * ```
 */
export const BulkRequest = z.looseObject({
  schemas: messageSchemas(SCHEMAS.BulkRequest),
  failOnErrors: z.number().int().nonnegative().optional(),
  Operations: z.array(BulkOperation),
});
/** A bulk request body. */
export type BulkRequest = z.infer<typeof BulkRequest>;

/**
 * The outcome of one bulk operation: `method`, `bulkId`, `version`, the `location` of the resource,
 * the HTTP `status` (a string; a number is accepted and kept as a string) and, on failure, the
 * error `response`.
 */
export const BulkOperationResult = z.looseObject({
  method: BulkMethod,
  bulkId: z.string().optional(),
  version: z.string().optional(),
  location: z.string().optional(),
  status: HttpStatus,
  response: z.unknown().optional(),
});
/** The outcome of one bulk operation. */
export type BulkOperationResult = z.infer<typeof BulkOperationResult>;

/**
 * A bulk response body (RFC 7644 section 3.7): one result per operation that was processed.
 *
 * @example
 * ```ts
 * const outcome = parseBulkResponse(response.data);
 * const failed = outcome.Operations.filter((operation) => !operation.status.startsWith('2'));
 * ```
 */
export const BulkResponse = z.looseObject({
  schemas: messageSchemas(SCHEMAS.BulkResponse),
  Operations: z.array(BulkOperationResult),
});
/** A bulk response body. */
export type BulkResponse = z.infer<typeof BulkResponse>;

const LenientBulkRequest = z.looseObject({
  Operations: z.array(z.looseObject({ method: BulkMethod, path: z.string() })),
});

const LenientBulkResponse = z.looseObject({
  Operations: z.array(
    z.looseObject({
      method: BulkMethod,
      status: z
        .union([z.string(), z.number()])
        .transform((status) => String(status))
        .optional(),
    }),
  ),
});

/**
 * Reads a bulk request body.
 *
 * @throws ScimValidationError naming the path of each problem, e.g. `Operations[0].method`.
 *
 * @example
 * ```ts
 * const request = parseBulkRequest(JSON.parse(body));
 * ```
 */
export function parseBulkRequest(input: unknown, options?: ParseOptions): BulkRequest {
  return parseDocument('BulkRequest', input, { strict: BulkRequest, lenient: LenientBulkRequest }, options);
}

/**
 * Reads a bulk response body.
 *
 * @throws ScimValidationError naming the path of each problem, e.g. `Operations[1].status`.
 *
 * @example
 * ```ts
 * const outcome = parseBulkResponse(response.data);
 * ```
 */
export function parseBulkResponse(input: unknown, options?: ParseOptions): BulkResponse {
  return parseDocument(
    'BulkResponse',
    input,
    { strict: BulkResponse, lenient: LenientBulkResponse },
    options,
  );
}
