import type {
  LdapComparisonFilter,
  LdapExtensibleFilter,
  LdapFilter,
  LdapNotFilter,
  LdapPresentFilter,
} from './ast';

/** A value for a filter: text is sent as UTF-8, bytes as they are. */
export type LdapFilterValue = string | Uint8Array;

function bytes(value: LdapFilterValue): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
}

/**
 * Builders for {@link LdapFilter} values. Values are taken as data, never parsed, so no escaping
 * is needed (and none can be forgotten).
 *
 * @example
 * ```ts
 * ldapFilter.and(ldapFilter.eq('objectClass', 'user'), ldapFilter.eq('sAMAccountName', untrusted))
 * ```
 */
export const ldapFilter = {
  /** All of the filters; flattens nested `and`s and drops the redundant wrapper around a single filter. */
  and(...filters: LdapFilter[]): LdapFilter {
    const flat = filters.flatMap((filter) => (filter.type === 'and' ? filter.filters : [filter]));
    return flat.length === 1 && flat[0] !== undefined ? flat[0] : { type: 'and', filters: flat };
  },
  /** Any of the filters; drops the redundant wrapper around a single filter. */
  or(...filters: LdapFilter[]): LdapFilter {
    const flat = filters.flatMap((filter) => (filter.type === 'or' ? filter.filters : [filter]));
    return flat.length === 1 && flat[0] !== undefined ? flat[0] : { type: 'or', filters: flat };
  },
  not(filter: LdapFilter): LdapNotFilter {
    return { type: 'not', filter };
  },
  eq(attribute: string, value: LdapFilterValue): LdapComparisonFilter {
    return { type: 'equal', attribute, value: bytes(value) };
  },
  ge(attribute: string, value: LdapFilterValue): LdapComparisonFilter {
    return { type: 'greaterOrEqual', attribute, value: bytes(value) };
  },
  le(attribute: string, value: LdapFilterValue): LdapComparisonFilter {
    return { type: 'lessOrEqual', attribute, value: bytes(value) };
  },
  present(attribute: string): LdapPresentFilter {
    return { type: 'present', attribute };
  },
  /** An extensible match, e.g. `extensible('memberOf', '1.2.840.113556.1.4.1941', groupDn)` (AD's matching rule in chain). */
  extensible(
    attribute: string | undefined,
    matchingRule: string | undefined,
    value: LdapFilterValue,
  ): LdapExtensibleFilter {
    return {
      type: 'extensible',
      ...(attribute === undefined ? {} : { attribute }),
      ...(matchingRule === undefined ? {} : { matchingRule }),
      dnAttributes: false,
      value: bytes(value),
    };
  },
};
