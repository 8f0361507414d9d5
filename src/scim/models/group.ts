import { z } from 'zod';
import { LenientResourceId, resourceAttributes } from './common';
import { parseDocument, requireIdCheck } from './parse-document';
import type { ParseOptions } from './parse-options';

/**
 * One member of a group (RFC 7643 section 4.2): the member's `id` in `value`, its URI in `$ref`, a
 * `display` name, and `type` (`User` or `Group`).
 */
export const GroupMember = z.looseObject({
  value: z.string().min(1),
  $ref: z.string().optional(),
  display: z.string().optional(),
  type: z.string().optional(),
});
/** One member of a group. */
export type GroupMember = z.infer<typeof GroupMember>;

/**
 * A SCIM Group (RFC 7643 section 4.2): a `displayName` and a list of `members`, plus the common
 * attributes. Attributes and extensions it does not know are kept as sent.
 *
 * @example
 * ```ts
 * const group: ScimGroup = {
 *   schemas: [SCHEMAS.Group],
 *   displayName: 'Tour Guides',
 *   members: [{ value: '2819c223-7f76-453a-919d-413861904646', type: 'User' }],
 * };
 * ```
 */
export const ScimGroup = z.looseObject({
  ...resourceAttributes,
  displayName: z.string().min(1),
  members: z.array(GroupMember).optional(),
});
/** A SCIM Group resource. */
export type ScimGroup = z.infer<typeof ScimGroup>;

const LenientGroupMember = z.looseObject({ value: LenientResourceId });

const LenientScimGroup = z.looseObject({
  id: LenientResourceId.optional(),
  displayName: z.string(),
  members: z.array(LenientGroupMember).optional(),
});

/**
 * Reads a Group that a service sent (or that is about to be sent, with `requireId: false`). Fails,
 * in both modes, when `members` is not an array of objects each with a `value`.
 *
 * @throws ScimValidationError naming the path of each problem, e.g. `members[2]: expected object`.
 *
 * @example
 * ```ts
 * const group = parseGroup(response.data);
 * const memberIds = (group.members ?? []).map((member) => member.value);
 * ```
 */
export function parseGroup(input: unknown, options?: ParseOptions): ScimGroup {
  return parseDocument('Group', input, { strict: ScimGroup, lenient: LenientScimGroup }, options, [
    requireIdCheck,
  ]);
}
