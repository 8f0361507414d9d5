/**
 * An LDAP search filter (RFC 4511 section 4.5.1, string form RFC 4515) as data. Assertion values
 * are bytes, so that binary values (an objectGUID) and text in any encoding survive unchanged
 * from the place a filter is built to the bytes sent to the server.
 *
 * @module
 */

/** `(&...)`: all of the filters match. An empty list is the absolute true filter of RFC 4526. */
export interface LdapAndFilter {
  readonly type: 'and';
  readonly filters: readonly LdapFilter[];
}

/** `(|...)`: any of the filters matches. An empty list is the absolute false filter of RFC 4526. */
export interface LdapOrFilter {
  readonly type: 'or';
  readonly filters: readonly LdapFilter[];
}

/** `(!...)`: the filter does not match. */
export interface LdapNotFilter {
  readonly type: 'not';
  readonly filter: LdapFilter;
}

/** `(attr=value)`, `(attr>=value)`, `(attr<=value)`, `(attr~=value)`. */
export interface LdapComparisonFilter {
  readonly type: 'equal' | 'greaterOrEqual' | 'lessOrEqual' | 'approx';
  readonly attribute: string;
  readonly value: Buffer;
}

/** `(attr=*)`: the entry has the attribute. */
export interface LdapPresentFilter {
  readonly type: 'present';
  readonly attribute: string;
}

/** `(attr=initial*any1*any2*final)`; at least one `*`, every part optional except that `any` parts are non-empty. */
export interface LdapSubstringsFilter {
  readonly type: 'substrings';
  readonly attribute: string;
  readonly initial?: Buffer;
  readonly any: readonly Buffer[];
  readonly final?: Buffer;
}

/** `(attr:dn:rule:=value)`, e.g. `(userAccountControl:1.2.840.113556.1.4.803:=2)`. */
export interface LdapExtensibleFilter {
  readonly type: 'extensible';
  readonly attribute?: string;
  readonly matchingRule?: string;
  readonly dnAttributes: boolean;
  readonly value: Buffer;
}

/** Any LDAP filter. */
export type LdapFilter =
  | LdapAndFilter
  | LdapOrFilter
  | LdapNotFilter
  | LdapComparisonFilter
  | LdapPresentFilter
  | LdapSubstringsFilter
  | LdapExtensibleFilter;
