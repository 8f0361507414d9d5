/**
 * The Active Directory-like content of the limits server, generated on demand: an entry exists only
 * while it is being matched and sent, so 20,000 users cost no memory between searches. Everything
 * is a pure function of the position of the entry, so results are stable across searches and pages.
 *
 * Layout (suffix `DC=limits,DC=test`), in the order searches return it:
 * ```
 * DC=limits,DC=test                               domainDNS
 *   CN=Users                                      container (isCriticalSystemObject)
 *     CN=Administrator                            user (isCriticalSystemObject, the bind account)
 *   OU=People                                     organizationalUnit
 *     CN=User 00000 ... CN=User <users-1>         user (sAMAccountName user00000, ...)
 *   OU=Groups                                     organizationalUnit
 *     CN=Big Group                                group, member = the first bigGroupMembers users
 *     CN=Small Group                              group, member = users 0..2
 *     CN=Nested Group                             group, member = CN=Small Group + user 3
 * ```
 * Users whose index is `disabledEvery - 1` modulo `disabledEvery` are disabled (userAccountControl
 * 514 instead of 512). Outside the domain: the rootDSE and the DC's NTDS Settings object
 * (`invocationId`), both readable with a base search.
 */
import { createHash } from 'node:crypto';
import type { DirectoryValue, MatchableEntry } from './limits-filter';

/** The limits server's naming context. */
export const LIMITS_BASE_DN = 'DC=limits,DC=test';
/** The DNS name of the limits domain. */
export const LIMITS_DOMAIN = 'limits.test';

const CONFIGURATION_DN = `CN=Configuration,${LIMITS_BASE_DN}`;
const SCHEMA_DN = `CN=Schema,${CONFIGURATION_DN}`;
const SERVER_DN = `CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,${CONFIGURATION_DN}`;
const NTDS_SETTINGS_DN = `CN=NTDS Settings,${SERVER_DN}`;
const DOMAIN_SUB_AUTHORITIES = [21, 1_111_111_111, 2_222_222_222, 3_333_333_333];
const FIRST_USN = 5000;
const EPOCH_MS = Date.UTC(2024, 0, 1);

/** The controls the limits server accepts (and advertises in the rootDSE). */
export const SUPPORTED_CONTROLS = [
  '1.2.840.113556.1.4.319', // paged results (enforced)
  '1.2.840.113556.1.4.417', // show deleted (accepted; there are no tombstones here)
  '1.2.840.113556.1.4.801', // SD flags (accepted, ignored)
  '1.2.840.113556.1.4.1339', // domain scope (accepted, ignored)
  '1.2.840.113556.1.4.1413', // permissive modify (accepted, ignored)
] as const;

/** A named attribute with its values (strings, or Buffers for binary ones). */
export interface DirectoryAttribute {
  /** The name as AD spells it (`sAMAccountName`). */
  name: string;
  values: DirectoryValue[];
}

/** One generated entry. */
export interface DirectoryEntry extends MatchableEntry {
  dn: string;
  attributes: DirectoryAttribute[];
}

/** Options for {@link LimitsDirectory}. */
export interface LimitsDirectoryOptions {
  /** Number of users in `OU=People`. */
  users: number;
  /** Members of `CN=Big Group` (the first users). */
  bigGroupMembers: number;
  /** Every n-th user is disabled; 0 for nobody. */
  disabledEvery: number;
  /** Mixed into GUIDs so two servers do not share ids. */
  seed: string;
}

/** Lower-cases a DN and drops blanks around `,` and `=` (enough for the DNs used here). */
export function normalizeDn(dn: string): string {
  return dn.toLowerCase().replace(/\s*([,=])\s*/g, '$1');
}

function generalizedTime(milliseconds: number): string {
  const iso = new Date(milliseconds).toISOString(); // 2024-01-01T00:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}.0Z`;
}

/** A binary SID in the test domain: the domain's own SID without `rid`, an account's with it. */
function sid(rid?: number): Buffer {
  const subAuthorities = rid === undefined ? DOMAIN_SUB_AUTHORITIES : [...DOMAIN_SUB_AUTHORITIES, rid];
  const bytes = Buffer.alloc(8 + 4 * subAuthorities.length);
  bytes[0] = 1; // revision
  bytes[1] = subAuthorities.length;
  bytes.writeUIntBE(5, 2, 6); // NT authority
  subAuthorities.forEach((value, index) => {
    bytes.writeUInt32LE(value, 8 + index * 4);
  });
  return bytes;
}

/** A 32-bit integer hash (the output step of mulberry32): cheap, well mixed, deterministic. */
function mix32(value: number): number {
  let x = (value + 0x6d2b79f5) | 0;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return (x ^ (x >>> 14)) >>> 0;
}

function pad(index: number): string {
  return String(index).padStart(5, '0');
}

class Entry implements DirectoryEntry {
  private index: Map<string, DirectoryValue[]> | undefined;

  constructor(
    readonly dn: string,
    readonly attributes: DirectoryAttribute[],
    private readonly chainUp: () => readonly string[] = () => [],
    private readonly chainDown: () => readonly string[] = () => [],
  ) {}

  get(attribute: string): readonly DirectoryValue[] | undefined {
    if (this.index === undefined) {
      this.index = new Map(this.attributes.map((item) => [item.name.toLowerCase(), item.values]));
    }
    return this.index.get(attribute);
  }

  memberOfInChain(): readonly string[] {
    return this.chainUp();
  }

  membersInChain(): readonly string[] {
    return this.chainDown();
  }
}

/** The generated directory. Positions `0 .. size-1` enumerate the domain in search order. */
export class LimitsDirectory {
  readonly baseDn = LIMITS_BASE_DN;
  readonly usersContainerDn = `CN=Users,${LIMITS_BASE_DN}`;
  readonly administratorDn = `CN=Administrator,CN=Users,${LIMITS_BASE_DN}`;
  readonly peopleDn = `OU=People,${LIMITS_BASE_DN}`;
  readonly groupsDn = `OU=Groups,${LIMITS_BASE_DN}`;
  readonly bigGroupDn = `CN=Big Group,OU=Groups,${LIMITS_BASE_DN}`;
  readonly smallGroupDn = `CN=Small Group,OU=Groups,${LIMITS_BASE_DN}`;
  readonly nestedGroupDn = `CN=Nested Group,OU=Groups,${LIMITS_BASE_DN}`;
  readonly ntdsSettingsDn = NTDS_SETTINGS_DN;
  /** Number of entries in the domain naming context. */
  readonly size: number;
  private readonly options: LimitsDirectoryOptions;
  private readonly firstUser = 4;
  private readonly fixedDns: Map<string, number>;
  private readonly seedWords: number[];

  constructor(options: LimitsDirectoryOptions) {
    this.options = options;
    const seedHash = createHash('sha256').update(options.seed).digest();
    this.seedWords = [0, 1, 2, 3].map((word) => seedHash.readUInt32LE(word * 4));
    this.size = 8 + options.users;
    const u = options.users;
    this.fixedDns = new Map(
      [
        [this.baseDn, 0],
        [this.usersContainerDn, 1],
        [this.administratorDn, 2],
        [this.peopleDn, 3],
        [this.groupsDn, 4 + u],
        [this.bigGroupDn, 5 + u],
        [this.smallGroupDn, 6 + u],
        [this.nestedGroupDn, 7 + u],
      ].map(([dn, position]) => [normalizeDn(String(dn)), Number(position)]),
    );
  }

  /** The highest USN any entry carries plus a margin (what the rootDSE reports). */
  get highestCommittedUsn(): number {
    return FIRST_USN + this.size + 100;
  }

  /** DN of user `index` (0-based): `CN=User 00042,OU=People,DC=limits,DC=test`. */
  userDn(index: number): string {
    return `CN=User ${pad(index)},${this.peopleDn}`;
  }

  /** `sAMAccountName` of user `index`: `user00042`. */
  userSamAccountName(index: number): string {
    return `user${pad(index)}`;
  }

  /** Whether user `index` is disabled (userAccountControl 514). */
  userDisabled(index: number): boolean {
    const every = this.options.disabledEvery;
    return every > 0 && index % every === every - 1;
  }

  /** The 16-byte objectGUID of the entry at `position` (users are at `userPosition(index)`). */
  guidAt(position: number): Buffer {
    const guid = Buffer.alloc(16);
    for (let word = 0; word < 4; word++) {
      const seed = this.seedWords[word] ?? 0;
      guid.writeUInt32LE(
        mix32(seed ^ Math.imul(position + 1, 0x9e3779b1) ^ Math.imul(word + 1, 0x85ebca6b)),
        word * 4,
      );
    }
    return guid;
  }

  /** The position of user `index` in search order. */
  userPosition(index: number): number {
    return this.firstUser + index;
  }

  /** The DN of the entry at `position`, without building the entry. */
  dnAt(position: number): string {
    const user = position - this.firstUser;
    if (user >= 0 && user < this.options.users) return this.userDn(user);
    for (const [dn, fixed] of this.fixedDns) if (fixed === position) return this.displayDn(dn);
    throw new RangeError(`no entry at position ${position}`);
  }

  private displayDn(normalized: string): string {
    for (const dn of [
      this.baseDn,
      this.usersContainerDn,
      this.administratorDn,
      this.peopleDn,
      this.groupsDn,
      this.bigGroupDn,
      this.smallGroupDn,
      this.nestedGroupDn,
    ]) {
      if (normalizeDn(dn) === normalized) return dn;
    }
    return normalized;
  }

  /** The position of the entry with this DN in the domain, or `undefined`. */
  positionOf(dn: string): number | undefined {
    const normalized = normalizeDn(dn);
    const fixed = this.fixedDns.get(normalized);
    if (fixed !== undefined) return fixed;
    const match = /^cn=user (\d{5,}),ou=people,dc=limits,dc=test$/.exec(normalized);
    if (match?.[1] === undefined) return undefined;
    const index = Number.parseInt(match[1], 10);
    return index < this.options.users && pad(index) === match[1] ? this.firstUser + index : undefined;
  }

  private usn(position: number): {
    created: string;
    changed: string;
    whenCreated: string;
    whenChanged: string;
  } {
    return {
      created: String(FIRST_USN + position),
      changed: String(FIRST_USN + position),
      whenCreated: generalizedTime(EPOCH_MS + position * 1000),
      whenChanged: generalizedTime(EPOCH_MS + position * 1000),
    };
  }

  private common(position: number, objectClasses: string[], category: string): DirectoryAttribute[] {
    const dn = this.dnAt(position);
    const stamps = this.usn(position);
    const rdnValue = dn.slice(dn.indexOf('=') + 1, dn.indexOf(','));
    return [
      { name: 'objectClass', values: ['top', ...objectClasses] },
      { name: 'distinguishedName', values: [dn] },
      { name: 'name', values: [rdnValue] },
      { name: 'instanceType', values: ['4'] },
      { name: 'whenCreated', values: [stamps.whenCreated] },
      { name: 'whenChanged', values: [stamps.whenChanged] },
      { name: 'uSNCreated', values: [stamps.created] },
      { name: 'uSNChanged', values: [stamps.changed] },
      { name: 'objectGUID', values: [this.guidAt(position)] },
      { name: 'objectCategory', values: [`CN=${category},${SCHEMA_DN}`] },
    ];
  }

  private smallGroupUsers(): number[] {
    return [0, 1, 2].filter((index) => index < this.options.users);
  }

  private directGroupsOfUser(index: number): string[] {
    const groups: string[] = [];
    if (index < this.options.bigGroupMembers) groups.push(this.bigGroupDn);
    if (index < 3) groups.push(this.smallGroupDn);
    if (index === 3) groups.push(this.nestedGroupDn);
    return groups;
  }

  private userEntry(index: number): Entry {
    const position = this.firstUser + index;
    const sam = this.userSamAccountName(index);
    const memberOf = this.directGroupsOfUser(index);
    const attributes = [
      ...this.common(position, ['person', 'organizationalPerson', 'user'], 'Person'),
      { name: 'cn', values: [`User ${pad(index)}`] },
      { name: 'sAMAccountName', values: [sam] },
      { name: 'userPrincipalName', values: [`${sam}@${LIMITS_DOMAIN}`] },
      { name: 'givenName', values: ['User'] },
      { name: 'sn', values: [pad(index)] },
      { name: 'displayName', values: [`User ${pad(index)}`] },
      { name: 'mail', values: [`${sam}@${LIMITS_DOMAIN}`] },
      { name: 'title', values: [index % 7 === 0 ? 'Manager' : 'Engineer'] },
      { name: 'department', values: [`Department ${index % 10}`] },
      { name: 'employeeID', values: [`E${pad(index)}`] },
      { name: 'userAccountControl', values: [this.userDisabled(index) ? '514' : '512'] },
      { name: 'objectSid', values: [sid(1100 + index)] },
      { name: 'primaryGroupID', values: ['513'] },
      { name: 'sAMAccountType', values: ['805306368'] },
    ];
    if (memberOf.length > 0) attributes.push({ name: 'memberOf', values: memberOf });
    const chain = index < 3 ? [...memberOf, this.nestedGroupDn] : memberOf;
    return new Entry(this.userDn(index), attributes, () => chain);
  }

  private groupEntry(position: number, cn: string, members: () => string[], rid: number): Entry {
    const memberValues = members();
    const attributes = [
      ...this.common(position, ['group'], 'Group'),
      { name: 'cn', values: [cn] },
      { name: 'sAMAccountName', values: [cn.replace(/\s+/g, '')] },
      { name: 'groupType', values: ['-2147483646'] },
      { name: 'sAMAccountType', values: ['268435456'] },
      { name: 'objectSid', values: [sid(rid)] },
      { name: 'description', values: [`${cn} (${memberValues.length} direct members)`] },
    ];
    if (memberValues.length > 0) attributes.push({ name: 'member', values: memberValues });
    const dn = this.dnAt(position);
    const up = dn === this.smallGroupDn ? [this.nestedGroupDn] : [];
    if (up.length > 0) attributes.push({ name: 'memberOf', values: up });
    const down =
      dn === this.nestedGroupDn
        ? () => [...memberValues, ...this.smallGroupUsers().map((index) => this.userDn(index))]
        : () => memberValues;
    return new Entry(dn, attributes, () => up, down);
  }

  /** Builds the entry at `position` (0 <= position < size). */
  entryAt(position: number): DirectoryEntry {
    const users = this.options.users;
    const user = position - this.firstUser;
    if (user >= 0 && user < users) return this.userEntry(user);
    switch (position) {
      case 0:
        return new Entry(this.baseDn, [
          ...this.common(0, ['domain', 'domainDNS'], 'Domain-DNS'),
          { name: 'dc', values: ['limits'] },
          { name: 'objectSid', values: [sid()] },
        ]);
      case 1:
        return new Entry(this.usersContainerDn, [
          ...this.common(1, ['container'], 'Container'),
          { name: 'cn', values: ['Users'] },
          { name: 'isCriticalSystemObject', values: ['TRUE'] },
        ]);
      case 2:
        return new Entry(this.administratorDn, [
          ...this.common(2, ['person', 'organizationalPerson', 'user'], 'Person'),
          { name: 'cn', values: ['Administrator'] },
          { name: 'sAMAccountName', values: ['Administrator'] },
          { name: 'userPrincipalName', values: [`Administrator@${LIMITS_DOMAIN}`] },
          { name: 'userAccountControl', values: ['66048'] },
          { name: 'objectSid', values: [sid(500)] },
          { name: 'isCriticalSystemObject', values: ['TRUE'] },
          { name: 'adminCount', values: ['1'] },
        ]);
      case 3:
        return new Entry(this.peopleDn, [
          ...this.common(3, ['organizationalUnit'], 'Organizational-Unit'),
          { name: 'ou', values: ['People'] },
        ]);
    }
    switch (position - users) {
      case 4:
        return new Entry(this.groupsDn, [
          ...this.common(position, ['organizationalUnit'], 'Organizational-Unit'),
          { name: 'ou', values: ['Groups'] },
        ]);
      case 5:
        return this.groupEntry(
          position,
          'Big Group',
          () => Array.from({ length: this.options.bigGroupMembers }, (_, index) => this.userDn(index)),
          1000,
        );
      case 6:
        return this.groupEntry(
          position,
          'Small Group',
          () => this.smallGroupUsers().map((index) => this.userDn(index)),
          1001,
        );
      case 7:
        return this.groupEntry(
          position,
          'Nested Group',
          () => [this.smallGroupDn, ...(users > 3 ? [this.userDn(3)] : [])],
          1002,
        );
    }
    throw new RangeError(`no entry at position ${position}`);
  }

  /** The normalized DN of the parent of the entry at `position`. */
  parentOf(position: number): string {
    const dn = normalizeDn(this.dnAt(position));
    const comma = dn.indexOf(',');
    return comma < 0 ? '' : dn.slice(comma + 1);
  }

  /** The rootDSE, as AD presents it (enough for Active Directory auto-detection). */
  rootDse(pageSizeLimit: number, rangeLimit: number): DirectoryEntry {
    return new Entry('', [
      { name: 'objectClass', values: ['top'] },
      { name: 'currentTime', values: [generalizedTime(Date.now())] },
      { name: 'subschemaSubentry', values: [`CN=Aggregate,${SCHEMA_DN}`] },
      { name: 'dsServiceName', values: [NTDS_SETTINGS_DN] },
      { name: 'namingContexts', values: [LIMITS_BASE_DN, CONFIGURATION_DN, SCHEMA_DN] },
      { name: 'defaultNamingContext', values: [LIMITS_BASE_DN] },
      { name: 'rootDomainNamingContext', values: [LIMITS_BASE_DN] },
      { name: 'configurationNamingContext', values: [CONFIGURATION_DN] },
      { name: 'schemaNamingContext', values: [SCHEMA_DN] },
      { name: 'serverName', values: [SERVER_DN] },
      { name: 'supportedControl', values: [...SUPPORTED_CONTROLS] },
      { name: 'supportedLDAPVersion', values: ['3', '2'] },
      {
        name: 'supportedLDAPPolicies',
        values: ['MaxPoolThreads', 'MaxPageSize', 'MaxValRange', 'MaxQueryDuration', 'MaxResultSetSize'],
      },
      { name: 'highestCommittedUSN', values: [String(this.highestCommittedUsn)] },
      { name: 'supportedSASLMechanisms', values: ['GSSAPI', 'GSS-SPNEGO', 'EXTERNAL', 'DIGEST-MD5'] },
      { name: 'dnsHostName', values: [`dc1.${LIMITS_DOMAIN}`] },
      { name: 'ldapServiceName', values: [`${LIMITS_DOMAIN}:dc1$@${LIMITS_DOMAIN.toUpperCase()}`] },
      {
        name: 'supportedCapabilities',
        values: [
          '1.2.840.113556.1.4.800', // LDAP_CAP_ACTIVE_DIRECTORY_OID
          '1.2.840.113556.1.4.1670', // LDAP_CAP_ACTIVE_DIRECTORY_V51_OID
          '1.2.840.113556.1.4.1791', // LDAP_CAP_ACTIVE_DIRECTORY_LDAP_INTEG_OID
          '1.2.840.113556.1.4.1935', // LDAP_CAP_ACTIVE_DIRECTORY_V61_OID
        ],
      },
      { name: 'isSynchronized', values: ['TRUE'] },
      { name: 'isGlobalCatalogReady', values: ['TRUE'] },
      { name: 'domainFunctionality', values: ['7'] },
      { name: 'forestFunctionality', values: ['7'] },
      { name: 'domainControllerFunctionality', values: ['7'] },
      // Not an AD rootDSE attribute: the configured limits, so tests can read them back.
      { name: 'aqueraTestLimits', values: [`MaxPageSize=${pageSizeLimit}`, `MaxValRange=${rangeLimit}`] },
    ]);
  }

  /** The DC's NTDS Settings object (holds `invocationId`), readable with a base search. */
  ntdsSettings(): DirectoryEntry {
    return new Entry(NTDS_SETTINGS_DN, [
      { name: 'objectClass', values: ['top', 'applicationSettings', 'nTDSDSA'] },
      { name: 'cn', values: ['NTDS Settings'] },
      { name: 'distinguishedName', values: [NTDS_SETTINGS_DN] },
      {
        name: 'invocationId',
        values: [createHash('sha256').update(`${this.options.seed}:invocation`).digest().subarray(0, 16)],
      },
      { name: 'options', values: ['1'] },
    ]);
  }
}
