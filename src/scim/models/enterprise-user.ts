import { z } from 'zod';

/** The `manager` of the enterprise extension: the manager's `id`, its URI, and its display name. */
export const EnterpriseManager = z.looseObject({
  value: z.string().optional(),
  $ref: z.string().optional(),
  displayName: z.string().optional(),
});
/** The `manager` of the enterprise extension. */
export type EnterpriseManager = z.infer<typeof EnterpriseManager>;

/**
 * The Enterprise User extension (RFC 7643 section 4.3), found in a user under the key
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` (`SCHEMAS.EnterpriseUser`).
 *
 * @example
 * ```ts
 * const user = parseUser(body);
 * const department = user[SCHEMAS.EnterpriseUser]?.department;
 * ```
 */
export const EnterpriseUser = z.looseObject({
  employeeNumber: z.string().optional(),
  costCenter: z.string().optional(),
  organization: z.string().optional(),
  division: z.string().optional(),
  department: z.string().optional(),
  manager: EnterpriseManager.optional(),
});
/** The Enterprise User extension object. */
export type EnterpriseUser = z.infer<typeof EnterpriseUser>;
