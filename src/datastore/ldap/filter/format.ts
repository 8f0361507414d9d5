import type { LdapFilter } from './ast';
import { escapeFilterValue } from './escape';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Escapes a value, keeping valid UTF-8 text readable and escaping other bytes. */
function formatValue(value: Buffer): string {
  try {
    return escapeFilterValue(strictUtf8.decode(value));
  } catch {
    return escapeFilterValue(value);
  }
}

/**
 * Renders a filter in the RFC 4515 string form, escaping every value, e.g. for messages and logs.
 * Parsing the result with `parseLdapFilter` gives back an equal filter.
 */
export function formatLdapFilter(filter: LdapFilter): string {
  switch (filter.type) {
    case 'and':
      return `(&${filter.filters.map(formatLdapFilter).join('')})`;
    case 'or':
      return `(|${filter.filters.map(formatLdapFilter).join('')})`;
    case 'not':
      return `(!${formatLdapFilter(filter.filter)})`;
    case 'equal':
      return `(${filter.attribute}=${formatValue(filter.value)})`;
    case 'greaterOrEqual':
      return `(${filter.attribute}>=${formatValue(filter.value)})`;
    case 'lessOrEqual':
      return `(${filter.attribute}<=${formatValue(filter.value)})`;
    case 'approx':
      return `(${filter.attribute}~=${formatValue(filter.value)})`;
    case 'present':
      return `(${filter.attribute}=*)`;
    case 'substrings': {
      const parts = [
        filter.initial === undefined ? '' : formatValue(filter.initial),
        ...filter.any.map((part) => formatValue(part)),
        filter.final === undefined ? '' : formatValue(filter.final),
      ];
      return `(${filter.attribute}=${parts.join('*')})`;
    }
    case 'extensible': {
      const attribute = filter.attribute ?? '';
      const dn = filter.dnAttributes ? ':dn' : '';
      const rule = filter.matchingRule === undefined ? '' : `:${filter.matchingRule}`;
      return `(${attribute}${dn}${rule}:=${formatValue(filter.value)})`;
    }
  }
}
