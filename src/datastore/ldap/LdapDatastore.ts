import { LdapSearchError } from '../errors/LdapSearchError';
import type {
  ChangesOptions,
  DatastoreAdapter,
  DatastoreChanges,
  ReadOptions,
  RemovedIds,
  ScopeIds,
  SourceGroup,
  SourceUser,
  Watermark,
} from '../types';
import { isAccountDisabled, statusAttribute } from './account-status';
import { attributeCollector, decodeUtf8, isGuidAttribute } from './attributes';
import { connectWithLdapjs } from './connection';
import { parseDn, tryNormalizeDn } from './dn';
import type { LdapFilter } from './filter/ast';
import { ldapFilter } from './filter/build';
import { formatGeneralizedTime, parseGeneralizedTime } from './generalized-time';
import { formatGuid, parseGuid } from './guid';
import {
  type LdapDatastoreOptions,
  type LdapDirectorySettings,
  type LdapDirectoryType,
  type ResolvedLdapOptions,
  resolveLdapDatastoreOptions,
  settingsForDirectory,
} from './options';
import { parseRootDse, ROOT_DSE_ATTRIBUTES, type RootDse } from './root-dse';
import { locationOf, memberValues, type ObjectKind, type ResolvedScope, resolveScope } from './scope';
import { LdapSession } from './session';
import type { LdapRawEntry } from './transport';
import { type LdapWatermark, parseLdapWatermark } from './watermark';

/** What `LdapDatastore.connect()` found. */
export interface LdapServerInfo {
  /** The URL of the server that answered (the first of `urls` that could be reached). */
  readonly url: string;
  readonly directory: LdapDirectoryType;
  /** True when `directory` was detected from the rootDSE rather than configured. */
  readonly detected: boolean;
  readonly namingContexts: readonly string[];
  /** True when the server advertises the simple paged results control. */
  readonly supportsPaging: boolean;
  readonly vendorName?: string;
  readonly dnsHostName?: string;
}

interface ServerContext {
  readonly settings: LdapDirectorySettings;
  readonly rootDse: RootDse;
  readonly info: LdapServerInfo;
}

/** Ids of the objects in scope, keyed for member lookups. */
interface MemberIndex {
  readonly usersByDn: ReadonlyMap<string, string>;
  readonly usersByUid: ReadonlyMap<string, string>;
  readonly groupsByDn: ReadonlyMap<string, string>;
}

/** Above this many unknown objects in scope, a change set reads the scope once instead of each by id. */
const MAX_SINGLE_READS = 50;

/**
 * A datastore backed by Active Directory or any LDAPv3 directory, configured like PingFederate's
 * LDAP source (location, entry GUID attribute, member attributes, changed-users algorithm,
 * account status algorithm).
 *
 * - Reads stream: simple paged results, the next page fetched while the current one is read (two
 *   pages held at most); values AD returns in ranges
 *   (`member;range=0-1499`) are completed; search references are ignored.
 * - Ids: `objectGUID` (AD, in its canonical string form) or `entryUUID` (LDAPv3), configurable.
 * - Changes: `usn` (AD) or the timestamp algorithms; removals (deletions, moves out of the base
 *   DN, objects no longer matching the filter or group) are found by comparing ids: pass
 *   `known` to `changes()`, or compare `ids()` with what you hold.
 * - Connections: URLs tried in order, LDAPS or StartTLS with certificate checks, reconnect and
 *   rebind when a connection drops, a time limit on every request.
 * - Every value put in a filter is escaped (RFC 4515); DNs are parsed and compared as DNs.
 *
 * @example
 * ```ts
 * const datastore = new LdapDatastore({
 *   urls: ['ldaps://dc1.example.com', 'ldaps://dc2.example.com'],
 *   ca: readFileSync('corp-ca.pem'),
 *   bindDn: 'svc-provisioning@example.com',
 *   bindPassword: process.env.LDAP_PASSWORD,
 *   users: { baseDn: 'OU=Staff,DC=example,DC=com', groupDn: 'CN=SaaS Users,OU=Groups,DC=example,DC=com', nested: true },
 *   groups: { baseDn: 'OU=Groups,DC=example,DC=com' },
 * });
 * for await (const user of datastore.users({ attributes: ['sAMAccountName', 'mail', 'givenName', 'sn'] })) {
 *   console.log(user.id, user.attributes.sAMAccountName, user.disabled);
 * }
 * await datastore.close();
 * ```
 */
export class LdapDatastore implements DatastoreAdapter {
  readonly #options: ResolvedLdapOptions;
  readonly #session: LdapSession;
  #context: Promise<ServerContext> | undefined;

  /** Validates the options (throwing an `LdapConfigError` naming the field at fault); connects on first use. */
  constructor(options: LdapDatastoreOptions) {
    this.#options = resolveLdapDatastoreOptions(options);
    this.#session = new LdapSession({
      endpoints: this.#options.endpoints,
      tls: this.#options.tls,
      startTls: this.#options.startTls,
      bindDn: this.#options.bindDn,
      bindPassword: this.#options.bindPassword,
      connectTimeout: this.#options.connectTimeout,
      operationTimeout: this.#options.operationTimeout,
      reconnectAttempts: this.#options.reconnectAttempts,
      connector: this.#options.connector ?? connectWithLdapjs,
    });
  }

  /**
   * Connects and binds, reads the rootDSE and settles the kind of directory. Other methods do
   * this on first use; calling it first checks the connection and settings up front.
   */
  async connect(): Promise<LdapServerInfo> {
    return (await this.#ready()).info;
  }

  /** Streams the users in scope. */
  async *users(options?: ReadOptions): AsyncGenerator<SourceUser, void, undefined> {
    const context = await this.#ready();
    for await (const page of this.#readUserPages(context, undefined, options, 'search users')) yield* page;
  }

  /** Streams the groups in scope (none when no `groups` location is configured). */
  async *groups(options?: ReadOptions): AsyncGenerator<SourceGroup, void, undefined> {
    const context = await this.#ready();
    if (context.settings.groups === undefined) return;
    const index = await this.#memberIndex(context);
    yield* this.#readGroups(context, index, undefined, options, 'search groups');
  }

  /** Reads one user in scope by id; `undefined` when there is none. */
  async user(id: string, options?: ReadOptions): Promise<SourceUser | undefined> {
    const context = await this.#ready();
    const filter = this.#idFilter(context.settings, id);
    if (filter === undefined) return undefined;
    for await (const user of this.#readUsers(context, filter, options, 'read user by id')) {
      if (user.id === id) return user;
    }
    return undefined;
  }

  /** Lists the ids in scope, reading only ids (and what scope checks need). */
  async ids(): Promise<ScopeIds> {
    const context = await this.#ready();
    const index = await this.#memberIndex(context);
    return { users: new Set(index.usersByDn.values()), groups: new Set(index.groupsByDn.values()) };
  }

  /**
   * What changed since `watermark`, by the changed-users algorithm. The next watermark is taken
   * before reading, so a change made during the read is reported again next time, never lost.
   */
  async changes(watermark: Watermark | undefined, options?: ChangesOptions): Promise<DatastoreChanges> {
    const context = await this.#ready();
    const { settings } = context;
    const next = await this.#currentWatermark(context);
    const previous = parseLdapWatermark(watermark);
    const changeFilter = previous === undefined ? undefined : this.#changeFilter(settings, previous, next);
    const full = changeFilter === undefined;
    const knownUsers = options?.known === undefined ? undefined : new Set(options.known.users);
    const knownGroups = options?.known === undefined ? undefined : new Set(options.known.groups);
    // One scan of the scope's ids per call, shared by new-to-scope users, groups and removals.
    let index: Promise<MemberIndex> | undefined;
    const memberIndex = (): Promise<MemberIndex> => {
      index ??= this.#memberIndex(context);
      return index;
    };
    let scopeIds: Promise<ScopeIds> | undefined;
    const currentIds = (): Promise<ScopeIds> => {
      scopeIds ??= memberIndex().then((built) => ({
        users: new Set(built.usersByDn.values()),
        groups: new Set(built.groupsByDn.values()),
      }));
      return scopeIds;
    };
    const self = this;

    async function* users(): AsyncGenerator<SourceUser, void, undefined> {
      const seen = new Set<string>();
      for await (const user of self.#readUsers(context, changeFilter, options, 'search changed users')) {
        seen.add(user.id);
        yield user;
      }
      if (full || knownUsers === undefined) return;
      const missing = [...(await currentIds()).users].filter((id) => !knownUsers.has(id) && !seen.has(id));
      yield* self.#readMissing(
        missing,
        (id) => self.user(id, options),
        () => self.users(options),
      );
    }

    async function* groups(): AsyncGenerator<SourceGroup, void, undefined> {
      if (settings.groups === undefined) return;
      const index = await memberIndex();
      const seen = new Set<string>();
      for await (const group of self.#readGroups(
        context,
        index,
        changeFilter,
        options,
        'search changed groups',
      )) {
        seen.add(group.id);
        yield group;
      }
      if (full || knownGroups === undefined) return;
      const missing = new Set(
        [...(await currentIds()).groups].filter((id) => !knownGroups.has(id) && !seen.has(id)),
      );
      if (missing.size === 0) return;
      for await (const group of self.#readGroups(
        context,
        index,
        undefined,
        options,
        'search groups new to scope',
      )) {
        if (missing.has(group.id)) yield group;
      }
    }

    return {
      full,
      users: users(),
      groups: groups(),
      removed: async (): Promise<RemovedIds> => {
        if (knownUsers === undefined || knownGroups === undefined) return { users: [], groups: [] };
        const scope = await currentIds();
        return {
          users: [...knownUsers].filter((id) => !scope.users.has(id)),
          groups: [...knownGroups].filter((id) => !scope.groups.has(id)),
        };
      },
      nextWatermark: async () => ({ ...next }),
    };
  }

  /** Unbinds and closes the connection. The datastore reconnects if used again. */
  async close(): Promise<void> {
    await this.#session.close();
  }

  #ready(): Promise<ServerContext> {
    this.#context ??= this.#discover().catch((error: unknown) => {
      this.#context = undefined;
      throw error;
    });
    return this.#context;
  }

  async #discover(): Promise<ServerContext> {
    const url = await this.#session.connect();
    const rootDse = await this.#readRootDse();
    const configured = this.#options.directory;
    const directory = configured ?? (rootDse.isActiveDirectory ? 'active-directory' : 'ldapv3');
    const settings = settingsForDirectory(this.#options, directory);
    return {
      settings,
      rootDse,
      info: {
        url,
        directory,
        detected: configured === undefined,
        namingContexts: rootDse.namingContexts,
        supportsPaging: rootDse.supportsPaging,
        ...(rootDse.vendorName === undefined ? {} : { vendorName: rootDse.vendorName }),
        ...(rootDse.dnsHostName === undefined ? {} : { dnsHostName: rootDse.dnsHostName }),
      },
    };
  }

  async #readRootDse(): Promise<RootDse> {
    return parseRootDse(await this.#session.read('', ROOT_DSE_ATTRIBUTES, 'read rootDSE'));
  }

  async *#readUsers(
    context: ServerContext,
    extra: LdapFilter | undefined,
    read: ReadOptions | undefined,
    label: string,
  ): AsyncGenerator<SourceUser, void, undefined> {
    for await (const page of this.#readUserPages(context, extra, read, label)) yield* page;
  }

  /** The users of a search, a page at a time (one hand-over per page for readers of many). */
  async *#readUserPages(
    context: ServerContext,
    extra: LdapFilter | undefined,
    read: ReadOptions | undefined,
    label: string,
  ): AsyncGenerator<readonly SourceUser[], void, undefined> {
    const { settings } = context;
    const scope = await resolveScope('users', settings, context.rootDse, this.#session);
    const wanted = read?.attributes ?? settings.users.attributes ?? ['*'];
    const status = statusAttribute(settings.accountStatus);
    const attributes = unique([
      ...wanted,
      settings.entryGuidAttribute,
      ...(status === undefined ? [] : [status]),
      ...scope.acceptAttributes,
    ]);
    const collect = attributeCollector(wanted, settings.binaryAttributes);
    for await (const page of this.#searchPages(scope, extra, attributes, settings, label)) {
      yield page.map((raw) => ({
        id: this.#entryId(raw, settings, label),
        dn: raw.dn,
        disabled: isAccountDisabled(raw.attributes, settings.accountStatus, settings.defaultStatus),
        attributes: collect(raw.attributes),
      }));
    }
  }

  async *#readGroups(
    context: ServerContext,
    index: MemberIndex,
    extra: LdapFilter | undefined,
    read: ReadOptions | undefined,
    label: string,
  ): AsyncGenerator<SourceGroup, void, undefined> {
    const { settings } = context;
    const location = settings.groups;
    if (location === undefined) return;
    const scope = await resolveScope('groups', settings, context.rootDse, this.#session);
    const wanted = read?.attributes ?? location.attributes ?? ['*'];
    const attributes = unique([
      ...wanted,
      settings.entryGuidAttribute,
      settings.groupNameAttribute,
      settings.groupMemberAttribute,
      ...scope.acceptAttributes,
    ]);
    const uidStyle = settings.groupMemberAttribute.toLowerCase() === 'memberuid';
    const nameAttribute = settings.groupNameAttribute.toLowerCase();
    const collect = attributeCollector(wanted, settings.binaryAttributes);
    for await (const raw of this.#search(scope, extra, attributes, settings, label)) {
      const memberIds = new Set<string>();
      for (const value of memberValues(raw, settings.groupMemberAttribute)) {
        const id = uidStyle ? index.usersByUid.get(value) : lookupDn(index, value);
        if (id !== undefined) memberIds.add(id);
      }
      const nameValue = raw.attributes.find((attribute) => attribute.type.toLowerCase() === nameAttribute)
        ?.values[0];
      yield {
        id: this.#entryId(raw, settings, label),
        dn: raw.dn,
        name: (nameValue === undefined ? undefined : decodeUtf8(nameValue)) ?? rdnValue(raw.dn),
        memberIds: [...memberIds],
        attributes: collect(raw.attributes),
      };
    }
  }

  async *#search(
    scope: ResolvedScope,
    extra: LdapFilter | undefined,
    attributes: readonly string[],
    settings: LdapDirectorySettings,
    label: string,
  ): AsyncGenerator<LdapRawEntry, void, undefined> {
    for await (const page of this.#searchPages(scope, extra, attributes, settings, label)) yield* page;
  }

  /** The entries of a search in scope, a page at a time (entries the scope does not accept left out). */
  async *#searchPages(
    scope: ResolvedScope,
    extra: LdapFilter | undefined,
    attributes: readonly string[],
    settings: LdapDirectorySettings,
    label: string,
  ): AsyncGenerator<readonly LdapRawEntry[], void, undefined> {
    const pages = this.#session.searchPages({
      base: scope.base,
      scope: scope.scope,
      filter: extra === undefined ? scope.filter : ldapFilter.and(scope.filter, extra),
      attributes,
      pageSize: settings.pageSize,
      label,
    });
    const accept = scope.accept;
    for await (const page of pages) {
      const accepted = accept === undefined ? page : page.filter((entry) => accept(entry));
      if (accepted.length > 0) yield accepted;
    }
  }

  /** Reads the ids in scope, keyed by normalised DN (and uid, for memberUid groups). */
  async #memberIndex(context: ServerContext): Promise<MemberIndex> {
    const { settings } = context;
    const uidStyle = settings.groupMemberAttribute.toLowerCase() === 'memberuid';
    const usersByDn = new Map<string, string>();
    const usersByUid = new Map<string, string>();
    const uidAttribute = settings.memberUidAttribute.toLowerCase();
    for await (const { entry, id } of this.#scanIds(
      context,
      'users',
      uidStyle ? [settings.memberUidAttribute] : [],
    )) {
      usersByDn.set(tryNormalizeDn(entry.dn) ?? entry.dn, id);
      if (!uidStyle) continue;
      for (const value of entry.attributes.find((attribute) => attribute.type.toLowerCase() === uidAttribute)
        ?.values ?? []) {
        const uid = decodeUtf8(value);
        if (uid !== undefined) usersByUid.set(uid, id);
      }
    }
    const groupsByDn = new Map<string, string>();
    if (settings.groups !== undefined) {
      for await (const { entry, id } of this.#scanIds(context, 'groups', [])) {
        groupsByDn.set(tryNormalizeDn(entry.dn) ?? entry.dn, id);
      }
    }
    return { usersByDn, usersByUid, groupsByDn };
  }

  async *#scanIds(
    context: ServerContext,
    kind: ObjectKind,
    extraAttributes: readonly string[],
  ): AsyncGenerator<{ entry: LdapRawEntry; id: string }, void, undefined> {
    const { settings } = context;
    if (locationOf(kind, settings) === undefined) return;
    const scope = await resolveScope(kind, settings, context.rootDse, this.#session);
    const attributes = unique([settings.entryGuidAttribute, ...extraAttributes, ...scope.acceptAttributes]);
    const label = `list ${kind} ids`;
    for await (const entry of this.#search(scope, undefined, attributes, settings, label)) {
      yield { entry, id: this.#entryId(entry, settings, label) };
    }
  }

  /** Yields the objects with the given ids: one read each when few, else one pass over the scope. */
  async *#readMissing<T extends { readonly id: string }>(
    ids: readonly string[],
    readOne: (id: string) => Promise<T | undefined>,
    readAll: () => AsyncIterable<T>,
  ): AsyncGenerator<T, void, undefined> {
    if (ids.length === 0) return;
    if (ids.length <= MAX_SINGLE_READS) {
      for (const id of ids) {
        const found = await readOne(id);
        if (found !== undefined) yield found;
      }
      return;
    }
    const wanted = new Set(ids);
    for await (const item of readAll()) if (wanted.has(item.id)) yield item;
  }

  /** The entry's stable id: an AD GUID in its canonical form, else the text value (hex if not UTF-8). */
  #entryId(entry: LdapRawEntry, settings: LdapDirectorySettings, label: string): string {
    const name = settings.entryGuidAttribute.toLowerCase();
    const value = entry.attributes.find((attribute) => attribute.type.toLowerCase() === name)?.values[0];
    if (value === undefined || value.length === 0) {
      throw new LdapSearchError(
        `entry ${entry.dn} has no ${settings.entryGuidAttribute}; check entryGuidAttribute (and read access to it)`,
        { operation: label, ...(this.#session.url === undefined ? {} : { url: this.#session.url }) },
      );
    }
    if (isGuidAttribute(name) && value.length === 16) return formatGuid(value);
    return decodeUtf8(value) ?? value.toString('hex');
  }

  /** A filter matching the entry whose id is `id`; `undefined` when `id` cannot be one. */
  #idFilter(settings: LdapDirectorySettings, id: string): LdapFilter | undefined {
    const attribute = settings.entryGuidAttribute;
    if (isGuidAttribute(attribute)) {
      const bytes = parseGuid(id);
      return bytes === undefined ? undefined : ldapFilter.eq(attribute, bytes);
    }
    // Ids whose bytes are not UTF-8 are given in hex (see #entryId): match either reading.
    if (/^[0-9a-f]+$/i.test(id) && id.length % 2 === 0 && decodeUtf8(Buffer.from(id, 'hex')) === undefined) {
      return ldapFilter.or(ldapFilter.eq(attribute, id), ldapFilter.eq(attribute, Buffer.from(id, 'hex')));
    }
    return ldapFilter.eq(attribute, id);
  }

  async #currentWatermark(context: ServerContext): Promise<LdapWatermark> {
    const { settings } = context;
    const rootDse = await this.#readRootDse();
    if (settings.changedUsersAlgorithm === 'usn') {
      const usn = rootDse.highestCommittedUsn;
      const service = rootDse.dsServiceName;
      if (usn === undefined || service === undefined || !/^\d+$/.test(usn)) {
        throw new LdapSearchError(
          'the rootDSE has no highestCommittedUSN/dsServiceName; the usn algorithm needs Active Directory',
          {
            operation: 'read rootDSE',
            ...(this.#session.url === undefined ? {} : { url: this.#session.url }),
          },
        );
      }
      const ntds = await this.#session.read(service, ['invocationId'], 'read invocationId');
      const raw = ntds?.attributes.find((attribute) => attribute.type.toLowerCase() === 'invocationid')
        ?.values[0];
      if (raw === undefined) {
        throw new LdapSearchError(`${service} has no invocationId`, { operation: 'read invocationId' });
      }
      return {
        kind: 'ldap-usn',
        invocationId: raw.length === 16 ? formatGuid(raw) : raw.toString('hex'),
        usn,
      };
    }
    const now = rootDse.currentTime ?? new Date();
    return {
      kind: 'ldap-timestamp',
      since: formatGeneralizedTime(new Date(now.getTime() - settings.clockSkewAllowance)),
    };
  }

  /** The filter for objects changed since `previous`; `undefined` when a full read is needed. */
  #changeFilter(
    settings: LdapDirectorySettings,
    previous: LdapWatermark,
    next: LdapWatermark,
  ): LdapFilter | undefined {
    if (previous.kind === 'ldap-usn') {
      if (next.kind !== 'ldap-usn' || next.invocationId !== previous.invocationId) return undefined;
      return ldapFilter.ge('uSNChanged', (BigInt(previous.usn) + 1n).toString());
    }
    if (next.kind !== 'ldap-timestamp') return undefined;
    const attribute = settings.timestampAttribute;
    if (settings.changedUsersAlgorithm === 'timestamp-no-negation')
      return ldapFilter.ge(attribute, previous.since);
    const since = parseGeneralizedTime(previous.since);
    if (since === undefined) return undefined;
    // "Changed after T-1s" at the one-second resolution of the attribute: the same objects as ">= T".
    return ldapFilter.not(ldapFilter.le(attribute, formatGeneralizedTime(new Date(since.getTime() - 1000))));
  }
}

function unique(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.filter((name) => {
    const key = name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function lookupDn(index: MemberIndex, value: string): string | undefined {
  const dn = tryNormalizeDn(value);
  return dn === undefined ? undefined : (index.usersByDn.get(dn) ?? index.groupsByDn.get(dn));
}

/** The first RDN's value, as a fallback group name. */
function rdnValue(dn: string): string {
  try {
    const value = parseDn(dn)[0]?.[0]?.value;
    return value === undefined ? dn : (decodeUtf8(value) ?? dn);
  } catch {
    return dn;
  }
}
