import { z } from 'zod';
import { SCHEMAS } from '../schemas';
import { messageSchemas } from './message-schemas';
import { parseDocument } from './parse-document';
import type { ParseOptions } from './parse-options';

/** The operations of RFC 7644 section 3.5.2. `op` is read in any case (`Replace`, `ADD`) and kept lower-case. */
export const PatchOperationType = z.enum(['add', 'remove', 'replace']);
/** `'add' | 'remove' | 'replace'`. */
export type PatchOperationType = z.infer<typeof PatchOperationType>;

/**
 * One operation of a PATCH request (RFC 7644 section 3.5.2): `op`, an optional attribute `path`
 * (in the filter grammar, e.g. `members[value eq "2819c223"]`), and a `value`.
 *
 * Whether `path` is needed (it is for `remove`) and whether it names anything is checked when the
 * operation is applied (`applyPatch`), which answers with the RFC's `noTarget`/`invalidPath`.
 */
export const PatchOperation = z.looseObject({
  op: PatchOperationType,
  path: z.string().optional(),
  value: z.unknown().optional(),
});
/** One PATCH operation: `{ op: 'add' | 'remove' | 'replace'; path?: string; value?: unknown }`. */
export type PatchOperation = z.infer<typeof PatchOperation>;

/**
 * A PATCH request body (RFC 7644 section 3.5.2): the PatchOp message URN in `schemas` and at least one
 * operation in `Operations` (also read as `operations`, or in any case).
 *
 * @example
 * ```ts
 * const body: PatchOp = {
 *   schemas: [SCHEMAS.PatchOp],
 *   Operations: [{ op: 'add', path: 'members', value: [{ value: '2819c223' }] }],
 * };
 * ```
 */
export const PatchOp = z.looseObject({
  schemas: messageSchemas(SCHEMAS.PatchOp),
  Operations: z.array(PatchOperation).min(1),
});
/** A PATCH request body: `{ schemas: string[]; Operations: PatchOperation[] }`. */
export type PatchOp = z.infer<typeof PatchOp>;

const LenientPatchOp = z.looseObject({
  Operations: z.array(PatchOperation).min(1),
});

/**
 * Reads a PATCH request body. Accepts `Operations` in any case and `op` in any case; fails on a body
 * with no operations, an unknown `op`, or a `path` that is not a string.
 *
 * @throws ScimValidationError naming the path of each problem, e.g. `Operations[1].op`.
 *
 * @example
 * ```ts
 * const patch = parsePatchOp(JSON.parse(body));
 * for (const operation of patch.Operations) console.log(operation.op, operation.path);
 * ```
 */
export function parsePatchOp(input: unknown, options?: ParseOptions): PatchOp {
  return parseDocument('PatchOp', input, { strict: PatchOp, lenient: LenientPatchOp }, options);
}
