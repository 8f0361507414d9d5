import { LdapSearchError } from '../errors/LdapSearchError';
import { decodeUtf8 } from './attributes';
import { isDnWithin, tryNormalizeDn } from './dn';
import type { LdapFilter } from './filter/ast';
import { ldapFilter } from './filter/build';
import type { LdapDirectorySettings, ResolvedLdapLocation } from './options';
import type { RootDse } from './root-dse';
import type { LdapSession } from './session';
import type { LdapRawEntry, LdapSearchScope } from './transport';

/** Users or groups. */
export type ObjectKind = 'users' | 'groups';

/** LDAP_MATCHING_RULE_IN_CHAIN: AD evaluates transitive group membership with it. */
const MATCHING_RULE_IN_CHAIN = '1.2.840.113556.1.4.1941';
/** Upper bound on the groups a nested walk visits. */
const MAX_WALKED_GROUPS = 100_000;

/** How to search for the objects of one kind, and what to drop from the results. */
export interface ResolvedScope {
  readonly base: string;
  readonly scope: LdapSearchScope;
  readonly filter: LdapFilter;
  /** Present when membership of the location's group is checked here rather than by the server. */
  readonly accept?: (entry: LdapRawEntry) => boolean;
  /** Attributes `accept` reads. */
  readonly acceptAttributes: readonly string[];
}

/** The location of `kind`, or `undefined` for groups when no group location is configured. */
export function locationOf(
  kind: ObjectKind,
  settings: LdapDirectorySettings,
): ResolvedLdapLocation | undefined {
  return kind === 'users' ? settings.users : settings.groups;
}

/**
 * The filter every object of `kind` matches, before group membership: its object classes, on AD
 * `objectCategory=person` for users and no critical system objects, and the location's filter.
 */
export function objectFilter(kind: ObjectKind, settings: LdapDirectorySettings): LdapFilter {
  const location = locationOf(kind, settings);
  const classes = kind === 'users' ? settings.userObjectClasses : settings.groupObjectClasses;
  const parts: LdapFilter[] = [ldapFilter.or(...classes.map((name) => ldapFilter.eq('objectClass', name)))];
  if (settings.directory === 'active-directory') {
    if (kind === 'users') parts.push(ldapFilter.eq('objectCategory', 'person'));
    parts.push(ldapFilter.not(ldapFilter.eq('isCriticalSystemObject', 'TRUE')));
  }
  if (location?.filter !== undefined) parts.push(location.filter);
  return ldapFilter.and(...parts);
}

/**
 * Works out how to read the objects of `kind` in scope. With a `groupDn`, membership is left to
 * the server when it can evaluate it (a member-of attribute; on AD, nested membership through the
 * matching rule in chain); otherwise the group's members are read here (walking nested groups when
 * asked) and the results are checked against them.
 */
export async function resolveScope(
  kind: ObjectKind,
  settings: LdapDirectorySettings,
  rootDse: RootDse,
  session: LdapSession,
): Promise<ResolvedScope> {
  const location = locationOf(kind, settings);
  if (location === undefined) throw new Error(`no ${kind} location`);
  const base = { base: location.baseDn, scope: location.scope };
  const filter = objectFilter(kind, settings);
  const groupDn = location.groupDn;
  if (groupDn === undefined) return { ...base, filter, acceptAttributes: [] };

  const memberOf = settings.memberOfGroupAttribute;
  const ad = settings.directory === 'active-directory';
  if (memberOf !== null && (ad || !location.nested)) {
    const membership = location.nested
      ? ldapFilter.extensible(memberOf, MATCHING_RULE_IN_CHAIN, groupDn)
      : ldapFilter.eq(memberOf, groupDn);
    return { ...base, filter: ldapFilter.and(filter, membership), acceptAttributes: [] };
  }

  const members = await walkGroup(kind, groupDn, location.nested, settings, rootDse, session);
  const uidAttribute = settings.memberUidAttribute.toLowerCase();
  return {
    ...base,
    filter,
    acceptAttributes: members.uids.size > 0 ? [settings.memberUidAttribute] : [],
    accept: (entry) => {
      const dn = tryNormalizeDn(entry.dn);
      if (dn !== undefined && members.dns.has(dn)) return true;
      if (members.uids.size === 0) return false;
      const uids =
        entry.attributes.find((attribute) => attribute.type.toLowerCase() === uidAttribute)?.values ?? [];
      return uids.some((value) => members.uids.has(decodeUtf8(value) ?? ''));
    },
  };
}

/** The members of a group: normalised DNs (users and groups alike) and, for `memberUid` groups, uids. */
export interface GroupMembers {
  readonly dns: ReadonlySet<string>;
  readonly uids: ReadonlySet<string>;
}

/**
 * Reads the members of `groupDn` from its group member attribute; with `nested`, also the members
 * of member groups, to any depth (each group once, so cycles end). A missing `groupDn` is an error,
 * never an empty scope: an empty scope would deprovision everyone.
 */
export async function walkGroup(
  kind: ObjectKind,
  groupDn: string,
  nested: boolean,
  settings: LdapDirectorySettings,
  rootDse: RootDse,
  session: LdapSession,
): Promise<GroupMembers> {
  const memberAttribute = settings.groupMemberAttribute;
  const uidStyle = memberAttribute.toLowerCase() === 'memberuid';
  const label = `read members of ${kind}.groupDn ${groupDn}`;
  const root = await session.read(groupDn, [memberAttribute], label);
  if (root === undefined) {
    throw new LdapSearchError(`the group ${groupDn} does not exist (${kind}.groupDn)`, { operation: label });
  }
  const groupDns =
    nested && !uidStyle ? await allGroupDns(groupDn, settings, rootDse, session) : new Set<string>();
  const dns = new Set<string>();
  const uids = new Set<string>();
  const visited = new Set<string>([tryNormalizeDn(groupDn) ?? groupDn]);
  const queue: LdapRawEntry[] = [root];
  for (let entry = queue.shift(); entry !== undefined; entry = queue.shift()) {
    for (const value of memberValues(entry, memberAttribute)) {
      if (uidStyle) {
        uids.add(value);
        continue;
      }
      const dn = tryNormalizeDn(value);
      if (dn === undefined) continue;
      dns.add(dn);
      if (groupDns.has(dn) && !visited.has(dn) && visited.size < MAX_WALKED_GROUPS) {
        visited.add(dn);
        const member = await session.read(value, [memberAttribute], label);
        if (member !== undefined) queue.push(member);
      }
    }
  }
  return { dns, uids };
}

/**
 * The values of a group's member attribute as text; `uniqueMember`'s optional `#'0101'B` UID
 * suffix (RFC 4517 nameAndOptionalUID) is removed.
 */
export function memberValues(entry: LdapRawEntry, memberAttribute: string): string[] {
  const name = memberAttribute.toLowerCase();
  const values = entry.attributes.find((attribute) => attribute.type.toLowerCase() === name)?.values ?? [];
  const texts: string[] = [];
  for (const value of values) {
    const text = decodeUtf8(value);
    if (text !== undefined) texts.push(text.replace(/#'[01]*'B$/, ''));
  }
  return texts;
}

/** Normalised DNs of every group in the naming context that holds `groupDn`, to tell group members from others. */
async function allGroupDns(
  groupDn: string,
  settings: LdapDirectorySettings,
  rootDse: RootDse,
  session: LdapSession,
): Promise<Set<string>> {
  const contexts = rootDse.namingContexts.filter((context) => isDnWithin(groupDn, context));
  const base =
    contexts.sort((left, right) => right.length - left.length)[0] ?? settings.groups?.baseDn ?? groupDn;
  const classes = new Set([...settings.groupObjectClasses, 'groupOfNames', 'groupOfUniqueNames', 'group']);
  const dns = new Set<string>();
  const search = session.search({
    base,
    scope: 'sub',
    filter: ldapFilter.or(...[...classes].map((name) => ldapFilter.eq('objectClass', name))),
    attributes: ['1.1'],
    pageSize: settings.pageSize,
    label: `list groups under ${base} (nested groupDn)`,
  });
  for await (const entry of search) {
    const dn = tryNormalizeDn(entry.dn);
    if (dn !== undefined) dns.add(dn);
  }
  return dns;
}
