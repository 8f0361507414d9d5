import { z } from 'zod';
import { SCHEMAS } from '../schemas';
import { LenientResourceId, MultiValuedAttribute, resourceAttributes } from './common';
import { EnterpriseUser } from './enterprise-user';
import { parseDocument, requireIdCheck } from './parse-document';
import type { ParseOptions } from './parse-options';

/** The components of a user's real name (RFC 7643 section 4.1.1). */
export const ScimName = z.looseObject({
  formatted: z.string().optional(),
  familyName: z.string().optional(),
  givenName: z.string().optional(),
  middleName: z.string().optional(),
  honorificPrefix: z.string().optional(),
  honorificSuffix: z.string().optional(),
});
/** The components of a user's real name. */
export type ScimName = z.infer<typeof ScimName>;

/** A physical mailing address of a user (RFC 7643 section 4.1.2, `addresses`). */
export const ScimAddress = z.looseObject({
  formatted: z.string().optional(),
  streetAddress: z.string().optional(),
  locality: z.string().optional(),
  region: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string().optional(),
  type: z.string().optional(),
  primary: z.boolean().optional(),
});
/** A physical mailing address of a user. */
export type ScimAddress = z.infer<typeof ScimAddress>;

/**
 * One group a user belongs to (RFC 7643 section 4.1.2, `groups`). Read-only: a service provider
 * fills it in, and membership is changed through the group's `members`.
 */
export const ScimUserGroup = z.looseObject({
  value: z.string().optional(),
  $ref: z.string().optional(),
  display: z.string().optional(),
  type: z.string().optional(),
});
/** One group a user belongs to. */
export type ScimUserGroup = z.infer<typeof ScimUserGroup>;

/**
 * A SCIM User (RFC 7643 section 4.1) with every attribute of the core schema, the common attributes
 * (`schemas`, `id`, `externalId`, `meta`) and the Enterprise User extension under its URN key.
 * Attributes and extensions it does not know are kept as sent.
 *
 * @example
 * ```ts
 * const user: ScimUser = {
 *   schemas: [SCHEMAS.User, SCHEMAS.EnterpriseUser],
 *   userName: 'bjensen',
 *   name: { givenName: 'Barbara', familyName: 'Jensen' },
 *   emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
 *   active: true,
 *   [SCHEMAS.EnterpriseUser]: { department: 'Tour Operations' },
 * };
 * ```
 */
export const ScimUser = z.looseObject({
  ...resourceAttributes,
  userName: z.string().min(1),
  name: ScimName.optional(),
  displayName: z.string().optional(),
  nickName: z.string().optional(),
  profileUrl: z.string().optional(),
  title: z.string().optional(),
  userType: z.string().optional(),
  preferredLanguage: z.string().optional(),
  locale: z.string().optional(),
  timezone: z.string().optional(),
  active: z.boolean().optional(),
  password: z.string().optional(),
  emails: z.array(MultiValuedAttribute).optional(),
  phoneNumbers: z.array(MultiValuedAttribute).optional(),
  ims: z.array(MultiValuedAttribute).optional(),
  photos: z.array(MultiValuedAttribute).optional(),
  addresses: z.array(ScimAddress).optional(),
  groups: z.array(ScimUserGroup).optional(),
  entitlements: z.array(MultiValuedAttribute).optional(),
  roles: z.array(MultiValuedAttribute).optional(),
  x509Certificates: z.array(MultiValuedAttribute).optional(),
  [SCHEMAS.EnterpriseUser]: EnterpriseUser.optional(),
});
/** A SCIM User resource. */
export type ScimUser = z.infer<typeof ScimUser>;

const LenientScimUser = z.looseObject({
  id: LenientResourceId.optional(),
  userName: z.string(),
});

/**
 * Reads a User that a service sent (or that is about to be sent, with `requireId: false`).
 * Attribute names are matched in any case, `"True"`/`"False"` strings are read as booleans, and
 * unknown attributes and extensions are kept; see `normalizeScimDocument`.
 *
 * @throws ScimValidationError naming the path of each problem, e.g. `id: required`.
 *
 * @example
 * ```ts
 * const user = parseUser(response.data);
 * const created = parseUser(draft, { requireId: false });
 * const tolerant = parseUser(response.data, { mode: 'lenient' });
 * ```
 */
export function parseUser(input: unknown, options?: ParseOptions): ScimUser {
  return parseDocument('User', input, { strict: ScimUser, lenient: LenientScimUser }, options, [
    requireIdCheck,
  ]);
}
