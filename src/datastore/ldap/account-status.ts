import type { AccountStatus, LdapAccountStatusAlgorithm } from './options';
import type { LdapRawAttribute } from './transport';

/** userAccountControl's ACCOUNTDISABLE bit. */
const UF_ACCOUNTDISABLE = 0x2;

/** The attribute the status algorithm reads, to add to a search's attributes; none for `none`. */
export function statusAttribute(algorithm: LdapAccountStatusAlgorithm): string | undefined {
  if (algorithm.algorithm === 'active-directory') return 'userAccountControl';
  if (algorithm.algorithm === 'flag') return algorithm.attribute;
  return undefined;
}

/**
 * True when the entry's account is disabled under `algorithm`:
 * - `active-directory`: bit 0x2 of userAccountControl is set;
 * - `flag`: the attribute has the value (without regard to case; any value when no value is
 *   configured) and `statusWhenMatched` is `disabled`, or it is present without the value and
 *   `statusWhenMatched` is `enabled`;
 * - `none`: never.
 *
 * An entry without the attribute has `defaultStatus`.
 */
export function isAccountDisabled(
  attributes: readonly LdapRawAttribute[],
  algorithm: LdapAccountStatusAlgorithm,
  defaultStatus: AccountStatus,
): boolean {
  const name = statusAttribute(algorithm)?.toLowerCase();
  if (name === undefined) return false;
  const values = attributes.find((attribute) => attribute.type.toLowerCase() === name)?.values ?? [];
  if (values.length === 0) return defaultStatus === 'disabled';
  if (algorithm.algorithm === 'active-directory') {
    const flags = Number.parseInt(values[0]?.toString('utf8') ?? '', 10);
    if (!Number.isFinite(flags)) return defaultStatus === 'disabled';
    return (flags & UF_ACCOUNTDISABLE) !== 0;
  }
  if (algorithm.algorithm !== 'flag') return false;
  const expected = algorithm.value?.toLowerCase();
  const matched =
    expected === undefined || values.some((value) => value.toString('utf8').toLowerCase() === expected);
  const whenMatched = algorithm.statusWhenMatched ?? 'disabled';
  return matched ? whenMatched === 'disabled' : whenMatched !== 'disabled';
}
