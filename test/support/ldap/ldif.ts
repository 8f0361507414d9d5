/**
 * LDIF (RFC 2849) and DN (RFC 4514) helpers, and a generator for a deterministic test company:
 * users in `ou=people`, groups of every membership style in `ou=groups`, nested groups (with a
 * cycle), disabled users, one big group of everybody, and users and a group with hostile names.
 *
 * The generator is a pure function of its options, so a test derives its expectations from the
 * same model ({@link companyUsers}, {@link companyGroups}) instead of hard-coding them. LDIF is
 * produced one record at a time ({@link companyLdifChunks}) so 20,000 users can be streamed into
 * `slapadd`/`ldapadd` without building one big string.
 *
 * @example
 * ```ts
 * const options = { users: 200 };
 * const slapd = await startSlapd({ seedLdif: companyLdif(options) });
 * const expectedDisabled = [...companyUsers(options)].filter((user) => user.disabled).length;
 * ```
 */

/** A value as written to LDIF: text (encoded as UTF-8) or raw bytes. */
export type LdifValue = string | Uint8Array;

function isSafeInitByte(byte: number): boolean {
  // SAFE-INIT-CHAR: %x01-09 / %x0B-0C / %x0E-1F / %x21-39 / %x3B / %x3D-7F (no NUL, LF, CR, space, ':', '<')
  return (
    byte > 0 &&
    byte <= 0x7f &&
    byte !== 0x0a &&
    byte !== 0x0d &&
    byte !== 0x20 &&
    byte !== 0x3a &&
    byte !== 0x3c
  );
}

function isSafeByte(byte: number): boolean {
  // SAFE-CHAR: %x01-09 / %x0B-0C / %x0E-7F
  return byte > 0 && byte <= 0x7f && byte !== 0x0a && byte !== 0x0d;
}

/** True when `bytes` can be written as an LDIF SAFE-STRING (else it must be base64 encoded). */
function isSafeString(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return true;
  if (!isSafeInitByte(bytes[0] ?? 0)) return false;
  // RFC 2849 note 8: a value ending with a space should be base64 encoded (it would be trimmed).
  if (bytes[bytes.length - 1] === 0x20) return false;
  for (const byte of bytes) if (!isSafeByte(byte)) return false;
  return true;
}

/**
 * Encodes one LDIF attribute value, returning the separator and the value: `': text'` for a
 * SAFE-STRING, `':: base64'` when the value needs it (leading space, `:` or `<`, trailing space,
 * NUL, CR, LF, any non-ASCII character, or bytes that are not UTF-8).
 *
 * @example
 * ```ts
 * 'cn' + escapeLdifValue('Ada');        // 'cn: Ada'
 * 'cn' + escapeLdifValue('José');       // 'cn:: Sm9zw6k='
 * 'jpegPhoto' + escapeLdifValue(bytes); // 'jpegPhoto:: /9j/...'
 * ```
 */
export function escapeLdifValue(value: LdifValue): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  if (bytes.length === 0) return ':';
  return isSafeString(bytes) ? `: ${bytes.toString('latin1')}` : `:: ${bytes.toString('base64')}`;
}

/** One LDIF line `name: value` (or `name:: base64`). */
export function ldifLine(attribute: string, value: LdifValue): string {
  return attribute + escapeLdifValue(value);
}

/**
 * Escapes an attribute value for use inside a DN string (RFC 4514 section 2.4): `"` `+` `,` `;`
 * `<` `>` `\` get a backslash, a leading space or `#` and a trailing space are escaped, NUL
 * becomes `\00`. Characters special in filters (`*`, `(`, `)`) are not special in DNs.
 *
 * @example
 * ```ts
 * `uid=${escapeDnValue('smith, john+jr')},ou=people,dc=example,dc=com`
 * // 'uid=smith\\, john\\+jr,ou=people,dc=example,dc=com'
 * ```
 */
export function escapeDnValue(value: string): string {
  let escaped = '';
  for (let index = 0; index < value.length; index++) {
    const char = value[index] ?? '';
    if (char === '\u0000') escaped += '\\00';
    else if ('"+,;<>\\'.includes(char)) escaped += `\\${char}`;
    else if (index === 0 && (char === ' ' || char === '#')) escaped += `\\${char}`;
    else if (index === value.length - 1 && char === ' ') escaped += '\\ ';
    else escaped += char;
  }
  return escaped;
}

/** An LDIF content record: a DN and its attribute values in order. */
export interface LdifEntry {
  /** The entry's DN, already escaped per RFC 4514. */
  dn: string;
  /** `[attribute, value]` pairs; repeat an attribute for several values. */
  attributes: ReadonlyArray<readonly [string, LdifValue]>;
}

/** Serialises one entry as an LDIF content record, ending with the blank separator line. */
export function ldifEntry(entry: LdifEntry): string {
  let text = `${ldifLine('dn', entry.dn)}\n`;
  for (const [name, value] of entry.attributes) text += `${ldifLine(name, value)}\n`;
  return `${text}\n`;
}

/** Which markers a disabled company user carries. */
export type DisabledMarker = 'pwdAccountLockedTime' | 'nsAccountLock';

/** Options for the generated company (all optional; the defaults give a small, varied directory). */
export interface CompanyOptions {
  /**
   * The directory suffix the company lives under.
   * @default 'dc=example,dc=com'
   */
  suffix?: string;
  /**
   * How many regular users (`uid=user00000` ...).
   * @default 20
   */
  users?: number;
  /**
   * How many departments; user `i` is in department `i % departments`. Each department is a
   * `groupOfNames` group.
   * @default 4
   */
  departments?: number;
  /**
   * Every n-th user (indexes n-1, 2n-1, ...) is disabled; 0 disables nobody.
   * @default 10
   */
  disabledEvery?: number;
  /**
   * How a disabled user is marked: `pwdAccountLockedTime: 000001010000Z` (ppolicy's administrative
   * lock, an operational attribute: request it by name) and/or `nsAccountLock: true` (a flag attribute,
   * through the `aqueraTestAccount` auxiliary class that the schema of slapd.ts defines). Enabled
   * users carry neither (the flag is absent, so "default status" applies).
   * @default ['pwdAccountLockedTime', 'nsAccountLock']
   */
  disabledMarkers?: readonly DisabledMarker[];
  /**
   * Add the users and the group with hostile names ({@link HOSTILE_USERS}).
   * @default true
   */
  hostile?: boolean;
  /**
   * Emit the `ou=people` and `ou=groups` entries first.
   * @default true
   */
  organizationalUnits?: boolean;
  /**
   * Add the big `cn=all-staff` group that contains every user.
   * @default true
   */
  allStaffGroup?: boolean;
  /**
   * Domain of the generated mail addresses.
   * @default 'example.com'
   */
  mailDomain?: string;
}

/** One generated user, as the LDIF describes it. */
export interface CompanyUser {
  /** Position in generation order (regular users first, then hostile ones). */
  index: number;
  /** The RDN value (`uid`). */
  uid: string;
  /** Full DN, RFC 4514 escaped. */
  dn: string;
  cn: string;
  givenName: string;
  sn: string;
  displayName: string;
  mail: string;
  employeeNumber: string;
  title: string;
  /** Department name, stored in `ou`. */
  department: string;
  departmentNumber: string;
  /** Whether the user carries the disabled markers. */
  disabled: boolean;
  /** Whether this is one of {@link HOSTILE_USERS}. */
  hostile: boolean;
  /** Optional `description` (hostile users: may hold NUL). */
  description?: string;
  /** Optional `jpegPhoto` bytes (a hostile user: not valid UTF-8). */
  jpegPhoto?: Uint8Array;
}

/** The membership style of a generated group. */
export type CompanyGroupStyle = 'groupOfNames' | 'groupOfUniqueNames' | 'posixGroup';

/** One generated group. */
export interface CompanyGroup {
  cn: string;
  dn: string;
  style: CompanyGroupStyle;
  /** Direct members that are users, by DN (`member` / `uniqueMember`); empty for posixGroup. */
  userMemberDns: string[];
  /** Direct members that are groups, by DN (nesting). */
  groupMemberDns: string[];
  /** posixGroup only: `memberUid` values. */
  memberUids: string[];
  /** posixGroup only. */
  gidNumber?: number;
  description: string;
}

interface ResolvedCompanyOptions {
  suffix: string;
  users: number;
  departments: number;
  disabledEvery: number;
  disabledMarkers: readonly DisabledMarker[];
  hostile: boolean;
  organizationalUnits: boolean;
  allStaffGroup: boolean;
  mailDomain: string;
}

function resolveCompanyOptions(options: CompanyOptions): ResolvedCompanyOptions {
  const resolved = {
    suffix: options.suffix ?? 'dc=example,dc=com',
    users: options.users ?? 20,
    departments: options.departments ?? 4,
    disabledEvery: options.disabledEvery ?? 10,
    disabledMarkers: options.disabledMarkers ?? ['pwdAccountLockedTime', 'nsAccountLock'],
    hostile: options.hostile ?? true,
    organizationalUnits: options.organizationalUnits ?? true,
    allStaffGroup: options.allStaffGroup ?? true,
    mailDomain: options.mailDomain ?? 'example.com',
  };
  for (const field of ['users', 'departments', 'disabledEvery'] as const) {
    if (!Number.isInteger(resolved[field]) || resolved[field] < 0) {
      throw new TypeError(`companyLdif: options.${field} must be a non-negative integer`);
    }
  }
  if (resolved.departments < 1) throw new TypeError('companyLdif: options.departments must be at least 1');
  return resolved;
}

const GIVEN_NAMES = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Frances',
  'Ken',
  'Margaret',
  'Linus',
];
const SURNAMES = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Hamilton',
];
const TITLES = ['Engineer', 'Senior Engineer', 'Manager', 'Analyst', 'Director', 'Intern'];
const DEPARTMENTS = [
  'Engineering',
  'Sales',
  'Support',
  'Finance',
  'Marketing',
  'Legal',
  'Operations',
  'Research',
];

/** The value of `pwdAccountLockedTime` that ppolicy treats as "locked by an administrator". */
export const ADMIN_LOCKED_TIME = '000001010000Z';

/** Department name for department number `index` (stable, then "Department N" past the list). */
export function departmentName(index: number): string {
  return DEPARTMENTS[index] ?? `Department ${index}`;
}

function departmentCn(index: number): string {
  return departmentName(index).toLowerCase().replace(/\s+/g, '-');
}

/** A hostile user's hand-picked values. */
export interface HostileUserSpec {
  uid: string;
  givenName: string;
  sn: string;
  cn: string;
  description?: string;
  jpegPhoto?: Uint8Array;
}

/**
 * The users with hostile names, appended after the regular users when `hostile` is on: quotes,
 * filter metacharacters `*()`, a backslash, `,` `+` `;` `<` `>` and a leading `#` in the RDN value,
 * non-ASCII text, NUL inside a value and inside the RDN value, and non-UTF-8 bytes (in `jpegPhoto`,
 * an octet-string attribute: directory-string attributes must be UTF-8, slapd rejects anything else).
 */
export const HOSTILE_USERS: readonly HostileUserSpec[] = [
  { uid: "o'brien", givenName: 'Conan', sn: "O'Brien", cn: 'Conan "Coco" O\'Brien' },
  { uid: 'star*(paren)', givenName: 'Star', sn: '(Paren)', cn: 'Star * (Paren) )(uid=*' },
  { uid: 'back\\slash', givenName: 'Back', sn: 'Slash\\', cn: 'Back \\5c Slash' },
  { uid: 'smith, john+jr', givenName: 'John', sn: 'Smith, Jr.', cn: 'Smith, John + Jr' },
  { uid: '#hash;semi<angle>', givenName: 'Hash', sn: '<Angle>', cn: '#Hash; <Angle>' },
  { uid: 'josé.müller', givenName: 'José', sn: 'Müller', cn: 'José Müller' },
  { uid: 'li.xiaolong', givenName: '小龙', sn: '李', cn: '李小龙' },
  { uid: 'nul\u0000byte', givenName: 'Nul', sn: 'Byte', cn: 'Nul Byte', description: 'before\u0000after' },
  {
    uid: 'binary.photo',
    givenName: 'Binary',
    sn: 'Photo',
    cn: 'Binary Photo',
    jpegPhoto: Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x80, 0xfe, 0xc3, 0x28]),
  },
];

/** The hostile group's `cn`: quotes, parentheses, `*`, `,`, `+` and a backslash. */
export const HOSTILE_GROUP_CN = 'R&D "Core" (team) *, ops + qa \\ misc';

function peopleDn(suffix: string): string {
  return `ou=people,${suffix}`;
}

function groupsDn(suffix: string): string {
  return `ou=groups,${suffix}`;
}

/** The DN of regular user `index` (0-based) under `suffix`. */
export function companyUserDn(index: number, suffix = 'dc=example,dc=com'): string {
  return `uid=${companyUserId(index)},${peopleDn(suffix)}`;
}

/** The uid of regular user `index` (0-based): `user00000`, `user00001`, ... */
export function companyUserId(index: number): string {
  return `user${String(index).padStart(5, '0')}`;
}

/** The DN of a company group by its `cn`. */
export function companyGroupDn(cn: string, suffix = 'dc=example,dc=com'): string {
  return `cn=${escapeDnValue(cn)},${groupsDn(suffix)}`;
}

function regularUser(index: number, options: ResolvedCompanyOptions): CompanyUser {
  const uid = companyUserId(index);
  const givenName = GIVEN_NAMES[index % GIVEN_NAMES.length] ?? 'Given';
  const sn = SURNAMES[Math.floor(index / GIVEN_NAMES.length) % SURNAMES.length] ?? 'Surname';
  const department = index % options.departments;
  const disabled = options.disabledEvery > 0 && index % options.disabledEvery === options.disabledEvery - 1;
  return {
    index,
    uid,
    dn: companyUserDn(index, options.suffix),
    cn: `${givenName} ${sn} ${index}`,
    givenName,
    sn,
    displayName: `${givenName} ${sn}`,
    mail: `${uid}@${options.mailDomain}`,
    employeeNumber: String(100000 + index),
    title: TITLES[index % TITLES.length] ?? 'Engineer',
    department: departmentName(department),
    departmentNumber: `D${String(department).padStart(3, '0')}`,
    disabled,
    hostile: false,
  };
}

function hostileUser(offset: number, options: ResolvedCompanyOptions): CompanyUser {
  const spec = HOSTILE_USERS[offset];
  if (spec === undefined) throw new RangeError(`no hostile user ${offset}`);
  const user: CompanyUser = {
    index: options.users + offset,
    uid: spec.uid,
    dn: `uid=${escapeDnValue(spec.uid)},${peopleDn(options.suffix)}`,
    cn: spec.cn,
    givenName: spec.givenName,
    sn: spec.sn,
    displayName: `${spec.givenName} ${spec.sn}`,
    mail: `hostile${offset}@${options.mailDomain}`,
    employeeNumber: String(900000 + offset),
    title: 'Tester',
    department: departmentName(0),
    departmentNumber: 'D000',
    disabled: false,
    hostile: true,
  };
  if (spec.description !== undefined) user.description = spec.description;
  if (spec.jpegPhoto !== undefined) user.jpegPhoto = spec.jpegPhoto;
  return user;
}

/** Every generated user, in LDIF order (regular ones, then hostile ones). Lazy: nothing is kept. */
export function* companyUsers(options: CompanyOptions = {}): Generator<CompanyUser> {
  const resolved = resolveCompanyOptions(options);
  for (let index = 0; index < resolved.users; index++) yield regularUser(index, resolved);
  if (resolved.hostile)
    for (let offset = 0; offset < HOSTILE_USERS.length; offset++) yield hostileUser(offset, resolved);
}

/**
 * The generated groups, in LDIF order:
 * - one `groupOfNames` per department (`cn=engineering`, `cn=sales`, ...), `member` = its users;
 * - `cn=all-departments` (`groupOfNames`) whose members are the department groups (nesting);
 * - `cn=company` whose members are `cn=all-departments` and user 0 (two levels of nesting);
 * - `cn=cycle-a` and `cn=cycle-b`, members of each other (a nesting cycle), plus one user each;
 * - `cn=project-apollo` (`groupOfUniqueNames`, `uniqueMember`): every third user;
 * - `cn=developers` (`posixGroup`, `memberUid`, gidNumber 5000): the first department's users;
 * - `cn=all-staff` (`groupOfNames`): every user, hostile ones included (when `allStaffGroup`);
 * - the hostile group {@link HOSTILE_GROUP_CN} (`groupOfNames`): the hostile users (when `hostile`).
 *
 * `groupOfNames` and `groupOfUniqueNames` require at least one member: a group that would be empty
 * (no users at all) is left out.
 */
export function companyGroups(options: CompanyOptions = {}): CompanyGroup[] {
  const resolved = resolveCompanyOptions(options);
  const suffix = resolved.suffix;
  const hostileUsers = resolved.hostile
    ? HOSTILE_USERS.map((_, offset) => hostileUser(offset, resolved))
    : [];
  // Regular users are described by index only, so 20,000 users never exist as objects at once.
  const indexes = (predicate: (index: number) => boolean): number[] => {
    const selected: number[] = [];
    for (let index = 0; index < resolved.users; index++) if (predicate(index)) selected.push(index);
    return selected;
  };
  const group = (
    cn: string,
    style: CompanyGroupStyle,
    description: string,
    userIndexes: readonly number[],
    groupMemberDns: string[] = [],
  ): CompanyGroup => ({
    cn,
    dn: companyGroupDn(cn, suffix),
    style,
    userMemberDns: style === 'posixGroup' ? [] : userIndexes.map((index) => companyUserDn(index, suffix)),
    groupMemberDns,
    memberUids: style === 'posixGroup' ? userIndexes.map((index) => companyUserId(index)) : [],
    description,
  });
  const groups: CompanyGroup[] = [];
  const departmentDns: string[] = [];
  for (let department = 0; department < resolved.departments; department++) {
    const members = indexes((index) => index % resolved.departments === department);
    if (members.length === 0) continue;
    const created = group(
      departmentCn(department),
      'groupOfNames',
      `${departmentName(department)} department`,
      members,
    );
    departmentDns.push(created.dn);
    groups.push(created);
  }
  if (departmentDns.length > 0) {
    groups.push(
      group('all-departments', 'groupOfNames', 'nested: every department group', [], departmentDns),
    );
    groups.push(
      group('company', 'groupOfNames', 'nested two levels', [0], [companyGroupDn('all-departments', suffix)]),
    );
  }
  if (resolved.users >= 2) {
    groups.push(
      group(
        'cycle-a',
        'groupOfNames',
        'nesting cycle with cycle-b',
        [0],
        [companyGroupDn('cycle-b', suffix)],
      ),
    );
    groups.push(
      group(
        'cycle-b',
        'groupOfNames',
        'nesting cycle with cycle-a',
        [1],
        [companyGroupDn('cycle-a', suffix)],
      ),
    );
  }
  const apollo = indexes((index) => index % 3 === 0);
  if (apollo.length > 0)
    groups.push(group('project-apollo', 'groupOfUniqueNames', 'uniqueMember style', apollo));
  const developers = group(
    'developers',
    'posixGroup',
    'memberUid style',
    indexes((index) => index % resolved.departments === 0),
  );
  developers.gidNumber = 5000;
  groups.push(developers);
  if (resolved.allStaffGroup && resolved.users + hostileUsers.length > 0) {
    const allStaff = group(
      'all-staff',
      'groupOfNames',
      'every user',
      indexes(() => true),
    );
    allStaff.userMemberDns.push(...hostileUsers.map((user) => user.dn));
    groups.push(allStaff);
  }
  if (hostileUsers.length > 0) {
    const hostileGroup = group(HOSTILE_GROUP_CN, 'groupOfNames', 'hostile name', []);
    hostileGroup.userMemberDns.push(...hostileUsers.map((user) => user.dn));
    groups.push(hostileGroup);
  }
  return groups;
}

function userEntry(user: CompanyUser, resolved: ResolvedCompanyOptions): LdifEntry {
  const attributes: Array<readonly [string, LdifValue]> = [
    ['objectClass', 'inetOrgPerson'],
    ['uid', user.uid],
    ['cn', user.cn],
    ['sn', user.sn],
    ['givenName', user.givenName],
    ['displayName', user.displayName],
    ['mail', user.mail],
    ['employeeNumber', user.employeeNumber],
    ['title', user.title],
    ['ou', user.department],
    ['departmentNumber', user.departmentNumber],
  ];
  if (user.description !== undefined) attributes.push(['description', user.description]);
  if (user.jpegPhoto !== undefined) attributes.push(['jpegPhoto', user.jpegPhoto]);
  if (user.disabled) {
    if (resolved.disabledMarkers.includes('pwdAccountLockedTime')) {
      attributes.push(['pwdAccountLockedTime', ADMIN_LOCKED_TIME]);
    }
    if (resolved.disabledMarkers.includes('nsAccountLock')) {
      attributes.splice(1, 0, ['objectClass', 'aqueraTestAccount']);
      attributes.push(['nsAccountLock', 'true']);
    }
  }
  return { dn: user.dn, attributes };
}

function* groupLines(group: CompanyGroup): Generator<string> {
  yield `${ldifLine('dn', group.dn)}\n`;
  yield `objectClass: ${group.style}\n${ldifLine('cn', group.cn)}\n${ldifLine('description', group.description)}\n`;
  if (group.style === 'posixGroup') {
    yield `gidNumber: ${group.gidNumber ?? 5000}\n`;
    for (const uid of group.memberUids) yield `${ldifLine('memberUid', uid)}\n`;
  } else {
    const attribute = group.style === 'groupOfNames' ? 'member' : 'uniqueMember';
    for (const dn of group.groupMemberDns) yield `${ldifLine(attribute, dn)}\n`;
    for (const dn of group.userMemberDns) yield `${ldifLine(attribute, dn)}\n`;
  }
  yield '\n';
}

/**
 * The company as LDIF, one chunk per record (big groups in a few chunks). Groups come after the
 * users, so `ldapadd` lets the memberof overlay fill `memberOf` on the users.
 */
export function* companyLdifChunks(options: CompanyOptions = {}): Generator<string> {
  const resolved = resolveCompanyOptions(options);
  if (resolved.organizationalUnits) {
    yield ldifEntry({
      dn: peopleDn(resolved.suffix),
      attributes: [
        ['objectClass', 'organizationalUnit'],
        ['ou', 'people'],
      ],
    });
    yield ldifEntry({
      dn: groupsDn(resolved.suffix),
      attributes: [
        ['objectClass', 'organizationalUnit'],
        ['ou', 'groups'],
      ],
    });
  }
  for (const user of companyUsers(resolved)) yield ldifEntry(userEntry(user, resolved));
  for (const group of companyGroups(resolved)) {
    let buffered = '';
    for (const line of groupLines(group)) {
      buffered += line;
      if (buffered.length >= 64 * 1024) {
        yield buffered;
        buffered = '';
      }
    }
    if (buffered.length > 0) yield buffered;
  }
}

/** The whole company as one LDIF string (fine up to a few thousand users; stream bigger ones). */
export function companyLdif(options: CompanyOptions = {}): string {
  let text = '';
  for (const chunk of companyLdifChunks(options)) text += chunk;
  return text;
}
