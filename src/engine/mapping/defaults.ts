import type { AttributeMapping } from './types';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * The default user mapping for Active Directory (frozen). Spread it to change a line:
 * `{ ...ACTIVE_DIRECTORY_USER_MAPPING, userName: 'mail' }`.
 *
 * | SCIM attribute | AD attribute |
 * | --- | --- |
 * | `userName` | `userPrincipalName` |
 * | `displayName` | `displayName` |
 * | `name.givenName` / `name.middleName` / `name.familyName` | `givenName` / `middleName` / `sn` |
 * | `title` | `title` |
 * | `emails[type eq "work"].value` | `mail` |
 * | `phoneNumbers[type eq "work"].value` | `telephoneNumber` |
 * | `phoneNumbers[type eq "mobile"].value` | `mobile` |
 * | `addresses[type eq "work"].streetAddress` / `locality` / `region` / `postalCode` / `country` | `streetAddress` / `l` / `st` / `postalCode` / `c` |
 * | Enterprise `employeeNumber` | `employeeID` (AD's HR identifier; `employeeNumber` is rarely filled) |
 * | Enterprise `department` / `division` / `organization` | `department` / `division` / `company` |
 *
 * `manager` is not mapped by default: AD holds the manager's DN, which must first be resolved to
 * the manager's target id.
 */
export const ACTIVE_DIRECTORY_USER_MAPPING: AttributeMapping = Object.freeze({
  userName: 'userPrincipalName',
  displayName: 'displayName',
  'name.givenName': 'givenName',
  'name.middleName': 'middleName',
  'name.familyName': 'sn',
  title: 'title',
  'emails[type eq "work"].value': 'mail',
  'phoneNumbers[type eq "work"].value': 'telephoneNumber',
  'phoneNumbers[type eq "mobile"].value': 'mobile',
  'addresses[type eq "work"].streetAddress': 'streetAddress',
  'addresses[type eq "work"].locality': 'l',
  'addresses[type eq "work"].region': 'st',
  'addresses[type eq "work"].postalCode': 'postalCode',
  'addresses[type eq "work"].country': 'c',
  [`${ENTERPRISE}:employeeNumber`]: 'employeeID',
  [`${ENTERPRISE}:department`]: 'department',
  [`${ENTERPRISE}:division`]: 'division',
  [`${ENTERPRISE}:organization`]: 'company',
});

/**
 * The default user mapping for LDAPv3 directories with `inetOrgPerson` entries (RFC 2798):
 * OpenLDAP, 389 Directory Server, PingDirectory, ... (frozen).
 *
 * | SCIM attribute | LDAP attribute |
 * | --- | --- |
 * | `userName` | `uid` |
 * | `displayName` | `displayName` |
 * | `name.givenName` / `name.familyName` | `givenName` / `sn` |
 * | `title` | `title` |
 * | `userType` | `employeeType` |
 * | `preferredLanguage` | `preferredLanguage` |
 * | `emails[type eq "work"].value` | `mail` |
 * | `phoneNumbers[type eq "work"].value` | `telephoneNumber` |
 * | `phoneNumbers[type eq "mobile"].value` | `mobile` |
 * | `addresses[type eq "work"].streetAddress` / `locality` / `region` / `postalCode` | `street` / `l` / `st` / `postalCode` |
 * | Enterprise `employeeNumber` | `employeeNumber` |
 * | Enterprise `department` / `organization` | `departmentNumber` / `o` |
 */
export const LDAPV3_USER_MAPPING: AttributeMapping = Object.freeze({
  userName: 'uid',
  displayName: 'displayName',
  'name.givenName': 'givenName',
  'name.familyName': 'sn',
  title: 'title',
  userType: 'employeeType',
  preferredLanguage: 'preferredLanguage',
  'emails[type eq "work"].value': 'mail',
  'phoneNumbers[type eq "work"].value': 'telephoneNumber',
  'phoneNumbers[type eq "mobile"].value': 'mobile',
  'addresses[type eq "work"].streetAddress': 'street',
  'addresses[type eq "work"].locality': 'l',
  'addresses[type eq "work"].region': 'st',
  'addresses[type eq "work"].postalCode': 'postalCode',
  [`${ENTERPRISE}:employeeNumber`]: 'employeeNumber',
  [`${ENTERPRISE}:department`]: 'departmentNumber',
  [`${ENTERPRISE}:organization`]: 'o',
});

/**
 * The default group mapping for both directory kinds: `displayName` <- `cn` (frozen). When a group
 * has no `cn` value, `mapGroup` falls back to the group's `name`.
 */
export const DEFAULT_GROUP_MAPPING: AttributeMapping = Object.freeze({
  displayName: 'cn',
});
