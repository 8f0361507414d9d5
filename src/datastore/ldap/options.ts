import { LdapConfigError } from '../errors/LdapConfigError';
import { isValidDn } from './dn';
import type { LdapFilter } from './filter/ast';
import { parseLdapFilter } from './filter/parse';
import type { LdapConnector, LdapEndpoint, LdapSearchScope, LdapTlsSettings } from './transport';

/** The kind of directory, which sets the defaults of the source settings. */
export type LdapDirectoryType = 'active-directory' | 'ldapv3';

/**
 * How changed users and groups are found (PingFederate's "Changed Users Algorithm").
 *
 * - `usn`: Active Directory only. Objects whose `uSNChanged` is above the domain controller's
 *   `highestCommittedUSN` of the previous read. When the DC's `invocationId` changed (restored
 *   from backup) or a different DC answers, USNs are not comparable: a full read is done instead.
 * - `timestamp`: objects whose change time (`modifyTimestamp`, `whenChanged` on AD) is after the
 *   previous read, with the filter `(!(modifyTimestamp<=T))`.
 * - `timestamp-no-negation`: the same changes, with the filter `(modifyTimestamp>=T)`, for
 *   servers that do not evaluate `!` on time attributes (or do it slowly).
 */
export type ChangedUsersAlgorithm = 'usn' | 'timestamp' | 'timestamp-no-negation';

/** Whether a user is enabled or disabled. */
export type AccountStatus = 'enabled' | 'disabled';

/**
 * How a user's account status is read (PingFederate's "Account Status Algorithm").
 *
 * @example
 * ```ts
 * { algorithm: 'active-directory' }                                         // userAccountControl bit 0x2
 * { algorithm: 'flag', attribute: 'nsAccountLock', value: 'true' }           // disabled when nsAccountLock=true
 * { algorithm: 'flag', attribute: 'pwdAccountLockedTime' }                   // disabled when present (OpenLDAP ppolicy)
 * { algorithm: 'flag', attribute: 'employeeStatus', value: 'active', statusWhenMatched: 'enabled' }
 * ```
 */
export type LdapAccountStatusAlgorithm =
  | { readonly algorithm: 'active-directory' }
  | {
      readonly algorithm: 'flag';
      /** The attribute to look at. */
      readonly attribute: string;
      /** The value that matches (compared without regard to case); when absent, the attribute being present matches. */
      readonly value?: string;
      /** The status of a user whose attribute matches; a user whose attribute is present and does not match has the other one. @default 'disabled' */
      readonly statusWhenMatched?: AccountStatus;
    }
  | { readonly algorithm: 'none' };

/**
 * Where users (or groups) are found: a base DN and scope, object classes, and optionally a
 * filter and/or a group whose members they must be.
 *
 * @example
 * ```ts
 * { baseDn: 'ou=people,dc=example,dc=com' }
 * { baseDn: 'dc=example,dc=com', groupDn: 'cn=scim-users,ou=groups,dc=example,dc=com', nested: true }
 * { baseDn: 'dc=example,dc=com', filter: '(department=Sales)' }
 * ```
 */
export interface LdapLocation {
  /** The DN under which to search. */
  readonly baseDn: string;
  /** Search scope under `baseDn`. @default 'sub' */
  readonly scope?: LdapSearchScope;
  /** An LDAP filter (RFC 4515) the objects must also match, e.g. `(department=Sales)`. */
  readonly filter?: string;
  /**
   * Only members of this group are in scope. On Active Directory the server evaluates it
   * (`memberOf`, or LDAP_MATCHING_RULE_IN_CHAIN when `nested`); elsewhere the adapter reads the
   * group's members (walking nested groups when `nested`).
   */
  readonly groupDn?: string;
  /** With `groupDn`: members of groups that are members of the group count too. @default false */
  readonly nested?: boolean;
  /**
   * Object classes of the objects (an entry with any of them). @default users: `user` (AD, plus
   * `objectCategory=person`), `inetOrgPerson` (LDAPv3); groups: `group` (AD), `groupOfNames`,
   * `groupOfUniqueNames` or `posixGroup` (LDAPv3, after the group member attribute)
   */
  readonly objectClasses?: readonly string[];
  /**
   * Attributes to fetch for the mapping (ids, status and membership attributes are added by the
   * adapter). A read's own `attributes` option takes precedence. @default ['*'] (all user attributes)
   */
  readonly attributes?: readonly string[];
}

/**
 * Options of `LdapDatastore`. Defaults that depend on the kind of directory are applied once the
 * directory is known (given as `directory`, or detected from the rootDSE on first connect).
 */
export interface LdapDatastoreOptions {
  /** Server URLs, `ldap://` or `ldaps://`, tried in order on each connect. */
  readonly urls: string | readonly string[];
  /** Upgrade `ldap://` connections with StartTLS before binding (ignored for `ldaps://`). @default false */
  readonly startTls?: boolean;
  /** CA certificate(s) (PEM) to trust for LDAPS and StartTLS. @default Node's trusted CAs */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Refuse servers whose certificate does not verify. Turn off only for tests. @default true */
  readonly rejectUnauthorized?: boolean;
  /** Host name to send (SNI) and check the certificate against, when the URL names the server differently (an IP address). */
  readonly servername?: string;
  /** DN (or, on AD, a user principal name) to bind as. @default '' (anonymous) */
  readonly bindDn?: string;
  /** Password for `bindDn`. Never appears in errors or logs. @default '' */
  readonly bindPassword?: string;
  /** Time allowed to connect to one server (TCP, TLS and StartTLS). @default 10000 @unit ms */
  readonly connectTimeout?: number;
  /** Time allowed for each request (a bind, one page of a search). @default 30000 @unit ms */
  readonly operationTimeout?: number;
  /** How many times an interrupted read is retried on a new connection before failing. @default 2 */
  readonly reconnectAttempts?: number;
  /** The kind of directory. @default detected from the rootDSE (Active Directory when it advertises LDAP_CAP_ACTIVE_DIRECTORY_OID) */
  readonly directory?: LdapDirectoryType;
  /** Where the users to provision are. */
  readonly users: LdapLocation;
  /** Where the groups to provision are; without it, no groups are read. */
  readonly groups?: LdapLocation;
  /** PingFederate's "Entry GUID Attribute": the stable id. @default `objectGUID` (AD), `entryUUID` (LDAPv3) */
  readonly entryGuidAttribute?: string;
  /**
   * PingFederate's "Member of Group Attribute": the user attribute listing the user's groups,
   * used to select members of `groupDn` with a filter; `null` to never use it (walk the group's
   * members instead). @default `memberOf` (AD), `null` (LDAPv3)
   */
  readonly memberOfGroupAttribute?: string | null;
  /** PingFederate's "Group Member Attribute": `member`, `uniqueMember` (DN values) or `memberUid` (uid values). @default 'member' */
  readonly groupMemberAttribute?: string;
  /** With `memberUid` style groups: the user attribute the values refer to. @default 'uid' */
  readonly memberUidAttribute?: string;
  /** The group attribute that gives the group's name. @default 'cn' */
  readonly groupNameAttribute?: string;
  /** See {@link ChangedUsersAlgorithm}. @default `usn` (AD), `timestamp` (LDAPv3) */
  readonly changedUsersAlgorithm?: ChangedUsersAlgorithm;
  /** The change-time attribute of the timestamp algorithms. @default `whenChanged` (AD), `modifyTimestamp` (LDAPv3) */
  readonly timestampAttribute?: string;
  /**
   * Timestamp algorithms: how far before the start of a read the next read looks back, to allow
   * for a difference between this machine's clock and the server's (used when the server does
   * not publish `currentTime` in its rootDSE). Objects changed in that window are read again,
   * which is harmless. @default 60000 @unit ms
   */
  readonly clockSkewAllowance?: number;
  /** See {@link LdapAccountStatusAlgorithm}. @default `active-directory` (AD), flag `pwdAccountLockedTime` present = disabled (LDAPv3) */
  readonly accountStatus?: LdapAccountStatusAlgorithm;
  /** Status of a user whose status attribute is absent. @default 'enabled' */
  readonly defaultStatus?: AccountStatus;
  /** Entries per page of a paged search (AD's MaxPageSize is 1000). @default 500 */
  readonly pageSize?: number;
  /** Attributes to return as Buffers even when their bytes are valid UTF-8 (photos, certificates, GUIDs are known already). @default [] */
  readonly binaryAttributes?: readonly string[];
  /** Opens connections; replace it to use another LDAP library or, in tests, a fake server. @default the ldapjs connector */
  readonly connector?: LdapConnector;
}

/** A location with its filter parsed and its defaults applied where they do not depend on the directory. */
export interface ResolvedLdapLocation {
  readonly baseDn: string;
  readonly scope: LdapSearchScope;
  readonly filter: LdapFilter | undefined;
  readonly groupDn: string | undefined;
  readonly nested: boolean;
  readonly objectClasses: readonly string[] | undefined;
  readonly attributes: readonly string[] | undefined;
}

/** {@link LdapDatastoreOptions} validated, copied and with directory-independent defaults applied. */
export interface ResolvedLdapOptions {
  readonly endpoints: readonly LdapEndpoint[];
  readonly startTls: boolean;
  readonly tls: LdapTlsSettings;
  readonly bindDn: string;
  readonly bindPassword: string;
  readonly connectTimeout: number;
  readonly operationTimeout: number;
  readonly reconnectAttempts: number;
  readonly directory: LdapDirectoryType | undefined;
  readonly users: ResolvedLdapLocation;
  readonly groups: ResolvedLdapLocation | undefined;
  readonly entryGuidAttribute: string | undefined;
  readonly memberOfGroupAttribute: string | null | undefined;
  readonly groupMemberAttribute: string;
  readonly memberUidAttribute: string;
  readonly groupNameAttribute: string;
  readonly changedUsersAlgorithm: ChangedUsersAlgorithm | undefined;
  readonly timestampAttribute: string | undefined;
  readonly clockSkewAllowance: number;
  readonly accountStatus: LdapAccountStatusAlgorithm | undefined;
  readonly defaultStatus: AccountStatus;
  readonly pageSize: number;
  readonly binaryAttributes: ReadonlySet<string>;
  readonly connector: LdapConnector | undefined;
}

/** Every setting with the directory's defaults applied: what the adapter reads from. */
export interface LdapDirectorySettings extends ResolvedLdapOptions {
  readonly directory: LdapDirectoryType;
  readonly entryGuidAttribute: string;
  readonly memberOfGroupAttribute: string | null;
  readonly changedUsersAlgorithm: ChangedUsersAlgorithm;
  readonly timestampAttribute: string;
  readonly accountStatus: LdapAccountStatusAlgorithm;
  readonly userObjectClasses: readonly string[];
  readonly groupObjectClasses: readonly string[];
}

const ATTRIBUTE_NAME = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)(?:;[A-Za-z0-9-]+)*$/;
const SCOPES: readonly LdapSearchScope[] = ['base', 'one', 'sub'];
const ALGORITHMS: readonly ChangedUsersAlgorithm[] = ['usn', 'timestamp', 'timestamp-no-negation'];

/**
 * Validates `options` and applies the defaults that do not depend on the directory. Throws an
 * {@link LdapConfigError} naming the first option at fault. Never writes to `options`.
 */
export function resolveLdapDatastoreOptions(options: LdapDatastoreOptions): ResolvedLdapOptions {
  if (typeof options !== 'object' || options === null)
    throw new LdapConfigError('options', 'expected an object');
  const bindDn = optionalString(options.bindDn, 'bindDn') ?? '';
  const bindPassword = optionalString(options.bindPassword, 'bindPassword') ?? '';
  if (bindPassword !== '' && bindDn === '')
    throw new LdapConfigError('bindDn', 'required when bindPassword is set');
  if (options.startTls !== undefined && typeof options.startTls !== 'boolean') {
    throw new LdapConfigError('startTls', 'expected true or false');
  }
  if (options.rejectUnauthorized !== undefined && typeof options.rejectUnauthorized !== 'boolean') {
    throw new LdapConfigError('rejectUnauthorized', 'expected true or false');
  }
  if (options.connector !== undefined && typeof options.connector !== 'function') {
    throw new LdapConfigError('connector', 'expected a function');
  }
  if (
    options.directory !== undefined &&
    options.directory !== 'active-directory' &&
    options.directory !== 'ldapv3'
  ) {
    throw new LdapConfigError('directory', "expected 'active-directory' or 'ldapv3'");
  }
  if (options.changedUsersAlgorithm !== undefined && !ALGORITHMS.includes(options.changedUsersAlgorithm)) {
    throw new LdapConfigError('changedUsersAlgorithm', `expected one of ${ALGORITHMS.join(', ')}`);
  }
  if (
    options.defaultStatus !== undefined &&
    options.defaultStatus !== 'enabled' &&
    options.defaultStatus !== 'disabled'
  ) {
    throw new LdapConfigError('defaultStatus', "expected 'enabled' or 'disabled'");
  }
  const servername = optionalString(options.servername, 'servername');
  const ca = resolveCa(options.ca);
  const memberOf = options.memberOfGroupAttribute;
  if (memberOf !== undefined && memberOf !== null) attributeName(memberOf, 'memberOfGroupAttribute');

  return {
    endpoints: resolveUrls(options.urls),
    startTls: options.startTls ?? false,
    tls: {
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      ...(ca === undefined ? {} : { ca }),
      ...(servername === undefined ? {} : { servername }),
    },
    bindDn,
    bindPassword,
    connectTimeout: positiveNumber(options.connectTimeout, 'connectTimeout', 10_000),
    operationTimeout: positiveNumber(options.operationTimeout, 'operationTimeout', 30_000),
    reconnectAttempts: integer(options.reconnectAttempts, 'reconnectAttempts', 2, 0, 100),
    directory: options.directory,
    users: resolveLocation(options.users, 'users'),
    groups: options.groups === undefined ? undefined : resolveLocation(options.groups, 'groups'),
    entryGuidAttribute: optionalAttribute(options.entryGuidAttribute, 'entryGuidAttribute'),
    memberOfGroupAttribute: memberOf,
    groupMemberAttribute: optionalAttribute(options.groupMemberAttribute, 'groupMemberAttribute') ?? 'member',
    memberUidAttribute: optionalAttribute(options.memberUidAttribute, 'memberUidAttribute') ?? 'uid',
    groupNameAttribute: optionalAttribute(options.groupNameAttribute, 'groupNameAttribute') ?? 'cn',
    changedUsersAlgorithm: options.changedUsersAlgorithm,
    timestampAttribute: optionalAttribute(options.timestampAttribute, 'timestampAttribute'),
    clockSkewAllowance: integer(options.clockSkewAllowance, 'clockSkewAllowance', 60_000, 0, 86_400_000),
    accountStatus: resolveAccountStatus(options.accountStatus),
    defaultStatus: options.defaultStatus ?? 'enabled',
    pageSize: integer(options.pageSize, 'pageSize', 500, 1, 2_147_483_647),
    binaryAttributes: new Set(
      stringList(options.binaryAttributes, 'binaryAttributes').map((name, index) =>
        attributeName(name, `binaryAttributes[${index}]`).toLowerCase(),
      ),
    ),
    connector: options.connector,
  };
}

/**
 * Applies the defaults of `directory` to resolved options and checks the choices that depend
 * on it (the `usn` algorithm needs Active Directory).
 */
export function settingsForDirectory(
  resolved: ResolvedLdapOptions,
  directory: LdapDirectoryType,
): LdapDirectorySettings {
  const ad = directory === 'active-directory';
  const algorithm = resolved.changedUsersAlgorithm ?? (ad ? 'usn' : 'timestamp');
  if (algorithm === 'usn' && !ad) {
    throw new LdapConfigError(
      'changedUsersAlgorithm',
      "'usn' needs Active Directory; use 'timestamp' for this directory",
    );
  }
  const memberStyle = resolved.groupMemberAttribute.toLowerCase();
  const ldapGroupClasses =
    memberStyle === 'member'
      ? ['groupOfNames']
      : memberStyle === 'uniquemember'
        ? ['groupOfUniqueNames']
        : memberStyle === 'memberuid'
          ? ['posixGroup']
          : ['groupOfNames', 'groupOfUniqueNames', 'posixGroup'];
  return {
    ...resolved,
    directory,
    entryGuidAttribute: resolved.entryGuidAttribute ?? (ad ? 'objectGUID' : 'entryUUID'),
    memberOfGroupAttribute:
      resolved.memberOfGroupAttribute === undefined
        ? ad
          ? 'memberOf'
          : null
        : resolved.memberOfGroupAttribute,
    changedUsersAlgorithm: algorithm,
    timestampAttribute: resolved.timestampAttribute ?? (ad ? 'whenChanged' : 'modifyTimestamp'),
    accountStatus:
      resolved.accountStatus ??
      (ad ? { algorithm: 'active-directory' } : { algorithm: 'flag', attribute: 'pwdAccountLockedTime' }),
    userObjectClasses: resolved.users.objectClasses ?? (ad ? ['user'] : ['inetOrgPerson']),
    groupObjectClasses: resolved.groups?.objectClasses ?? (ad ? ['group'] : ldapGroupClasses),
  };
}

function resolveUrls(urls: unknown): LdapEndpoint[] {
  const list = typeof urls === 'string' ? [urls] : urls;
  if (!Array.isArray(list) || list.length === 0)
    throw new LdapConfigError('urls', 'expected at least one ldap:// or ldaps:// URL');
  return list.map((url: unknown, index) => {
    const field = typeof urls === 'string' ? 'urls' : `urls[${index}]`;
    if (typeof url !== 'string') throw new LdapConfigError(field, 'expected a string');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new LdapConfigError(field, `not a URL: ${url}`);
    }
    if (parsed.protocol !== 'ldap:' && parsed.protocol !== 'ldaps:') {
      throw new LdapConfigError(field, `expected ldap:// or ldaps://, got ${parsed.protocol}//`);
    }
    if (parsed.username !== '' || parsed.password !== '') {
      throw new LdapConfigError(field, 'credentials do not belong in the URL; use bindDn and bindPassword');
    }
    if (parsed.hostname === '') throw new LdapConfigError(field, 'no host');
    const secure = parsed.protocol === 'ldaps:';
    return {
      url: `${parsed.protocol}//${parsed.host}`,
      secure,
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: parsed.port === '' ? (secure ? 636 : 389) : Number(parsed.port),
    };
  });
}

function resolveLocation(location: LdapLocation | undefined, field: string): ResolvedLdapLocation {
  if (typeof location !== 'object' || location === null)
    throw new LdapConfigError(field, 'expected an object with baseDn');
  const baseDn = dn(location.baseDn, `${field}.baseDn`);
  if (baseDn === undefined) throw new LdapConfigError(`${field}.baseDn`, 'required');
  const scope = location.scope ?? 'sub';
  if (!SCOPES.includes(scope)) throw new LdapConfigError(`${field}.scope`, "expected 'base', 'one' or 'sub'");
  let filter: LdapFilter | undefined;
  if (location.filter !== undefined) {
    if (typeof location.filter !== 'string')
      throw new LdapConfigError(`${field}.filter`, 'expected a string');
    try {
      filter = parseLdapFilter(location.filter);
    } catch (error) {
      throw new LdapConfigError(`${field}.filter`, error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
  }
  if (location.nested !== undefined && typeof location.nested !== 'boolean') {
    throw new LdapConfigError(`${field}.nested`, 'expected true or false');
  }
  const objectClasses =
    location.objectClasses === undefined
      ? undefined
      : stringList(location.objectClasses, `${field}.objectClasses`).map((name, index) =>
          attributeName(name, `${field}.objectClasses[${index}]`),
        );
  if (objectClasses?.length === 0)
    throw new LdapConfigError(`${field}.objectClasses`, 'expected at least one class');
  const attributes =
    location.attributes === undefined
      ? undefined
      : stringList(location.attributes, `${field}.attributes`).map((name, index) =>
          name === '*' || name === '+' ? name : attributeName(name, `${field}.attributes[${index}]`),
        );
  return {
    baseDn,
    scope,
    filter,
    groupDn: dn(location.groupDn, `${field}.groupDn`),
    nested: location.nested ?? false,
    objectClasses,
    attributes,
  };
}

function resolveAccountStatus(
  status: LdapAccountStatusAlgorithm | undefined,
): LdapAccountStatusAlgorithm | undefined {
  if (status === undefined) return undefined;
  if (typeof status !== 'object' || status === null)
    throw new LdapConfigError('accountStatus', 'expected an object');
  switch (status.algorithm) {
    case 'active-directory':
    case 'none':
      return { algorithm: status.algorithm };
    case 'flag': {
      const attribute = attributeName(status.attribute, 'accountStatus.attribute');
      const value = optionalString(status.value, 'accountStatus.value');
      const when = status.statusWhenMatched ?? 'disabled';
      if (when !== 'enabled' && when !== 'disabled') {
        throw new LdapConfigError('accountStatus.statusWhenMatched', "expected 'enabled' or 'disabled'");
      }
      return {
        algorithm: 'flag',
        attribute,
        ...(value === undefined ? {} : { value }),
        statusWhenMatched: when,
      };
    }
    default:
      throw new LdapConfigError('accountStatus.algorithm', "expected 'active-directory', 'flag' or 'none'");
  }
}

function resolveCa(ca: unknown): string | Buffer | readonly (string | Buffer)[] | undefined {
  if (ca === undefined) return undefined;
  const valid = (item: unknown): item is string | Buffer => typeof item === 'string' || Buffer.isBuffer(item);
  if (valid(ca)) return Buffer.isBuffer(ca) ? Buffer.from(ca) : ca;
  if (Array.isArray(ca) && ca.every(valid))
    return ca.map((item) => (Buffer.isBuffer(item) ? Buffer.from(item) : item));
  throw new LdapConfigError('ca', 'expected PEM text, a Buffer, or a list of them');
}

function dn(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new LdapConfigError(field, 'expected a DN string');
  if (!isValidDn(value)) throw new LdapConfigError(field, `not a valid DN: ${value}`);
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new LdapConfigError(field, 'expected a string');
  return value;
}

function optionalAttribute(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : attributeName(value, field);
}

function attributeName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ATTRIBUTE_NAME.test(value)) {
    throw new LdapConfigError(field, `not an attribute name: ${String(value)}`);
  }
  return value;
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new LdapConfigError(field, 'expected a list of strings');
  return value.map((item: unknown, index) => {
    if (typeof item !== 'string') throw new LdapConfigError(`${field}[${index}]`, 'expected a string');
    return item;
  });
}

function positiveNumber(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new LdapConfigError(field, 'expected a positive number of milliseconds');
  }
  return value;
}

function integer(value: unknown, field: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new LdapConfigError(field, `expected a whole number from ${min} to ${max}`);
  }
  return value;
}
