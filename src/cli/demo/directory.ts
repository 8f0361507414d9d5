/**
 * The demo's LDAP directory: an LDAPv3 server in this process, built on ldapjs's server API,
 * holding entries loaded from LDIF in memory. It answers what `LdapDatastore` asks of an OpenLDAP
 * server, and lets the demo change entries the way an administrator would.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type net from 'node:net';
import ldap from 'ldapjs';
import { normalizeDn, parseDn } from '../../datastore/ldap/dn';
import { formatGeneralizedTime, parseGeneralizedTime } from '../../datastore/ldap/generalized-time';
import { parseLdif } from './ldif';

/** Options of {@link DemoDirectory.start}. */
export interface DemoDirectoryOptions {
  /** The entries, as LDIF content records; the first one is the suffix (naming context). */
  readonly ldif: string;
  /** The DN of the one account that may bind and read. */
  readonly bindDn: string;
  /** Its password. Never logged or returned. */
  readonly bindPassword: string;
  /**
   * The time stamped on the loaded entries (`createTimestamp`, `modifyTimestamp`).
   * @default one day before the clock's current time
   */
  readonly loadedAt?: Date;
  /**
   * The clock: `currentTime` in the rootDSE and the time of each change.
   * @default () => new Date()
   */
  readonly now?: () => Date;
}

/** An entry as the directory holds it (a copy). */
export interface DemoEntry {
  readonly dn: string;
  /** Values by attribute name (as first spelt), operational attributes included. */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
}

/** What the directory has been asked, since it started. */
export interface DemoDirectoryStats {
  readonly binds: number;
  readonly failedBinds: number;
  /** Search requests (each page of a paged search counts). */
  readonly searches: number;
  /** Entries sent in answer to searches. */
  readonly entriesSent: number;
}

/** New values for attributes: a string or list replaces the values, `null` removes the attribute. */
export type DemoChanges = Readonly<Record<string, string | readonly string[] | null>>;

interface StoredAttribute {
  name: string;
  values: string[];
}

interface StoredEntry {
  dn: string;
  key: string;
  parentKey: string;
  attributes: Map<string, StoredAttribute>;
}

// --- the parts of ldapjs's (untyped) server objects used here ---

interface ServerControl {
  readonly type: string;
  readonly criticality: boolean;
  readonly value?: { readonly size?: number; readonly cookie?: Buffer };
}

interface ServerRequest {
  readonly messageId: number;
  readonly controls: readonly ServerControl[];
  readonly connection: net.Socket;
}

interface ServerBindRequest extends ServerRequest {
  readonly dn: { toString(): string };
  readonly credentials: string;
}

interface LdapjsFilter {
  readonly type: string;
  readonly attribute?: string;
  readonly value?: unknown;
  readonly clauses: readonly LdapjsFilter[];
  readonly initial?: string;
  readonly any?: readonly string[];
  readonly final?: string;
}

interface ServerSearchRequest extends ServerRequest {
  readonly baseObject: { toString(): string };
  readonly scopeName: 'base' | 'single' | 'subtree';
  readonly sizeLimit: number;
  readonly typesOnly: boolean;
  readonly attributes: readonly string[];
  readonly filter: LdapjsFilter;
}

interface ServerResponse {
  errorMessage: string;
  /** The attributes `send` keeps; it drops others by a case-sensitive comparison unless `*` is listed. */
  attributes: string[];
  addControl(control: unknown): void;
  send(entry: { dn: string; attributes: Record<string, string[]> }, noFiltering: boolean): void;
  end(status?: number): void;
}

interface LdapjsServer {
  newConnection(socket: net.Socket): void;
  bind(name: string, handler: (req: ServerBindRequest, res: ServerResponse) => void): void;
  search(name: string, handler: (req: ServerSearchRequest, res: ServerResponse) => void): void;
  listen(port: number, host: string, callback: () => void): void;
  address(): net.AddressInfo | string | null;
  close(callback: () => void): void;
  on(event: 'error' | 'clientError', listener: (error: unknown) => void): void;
}

const ldapjs = ldap as unknown as {
  PagedResultsControl: new (options: { value: { size: number; cookie: Buffer } }) => unknown;
  createServer(options: object): LdapjsServer;
};

const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';
const RESULT = {
  success: 0,
  operationsError: 1,
  sizeLimitExceeded: 4,
  unavailableCriticalExtension: 12,
  noSuchObject: 32,
  invalidCredentials: 49,
  insufficientAccessRights: 50,
  unwillingToPerform: 53,
} as const;

/** Attributes returned only when asked for by name or with `+`, as OpenLDAP does. */
const OPERATIONAL = new Set([
  'entryuuid',
  'createtimestamp',
  'modifytimestamp',
  'pwdaccountlockedtime',
  'memberof',
  'entrydn',
  'structuralobjectclass',
]);
/** Attributes whose values are DNs: compared as DNs, and kept pointing at renamed entries. */
const DN_VALUED = new Set(['member', 'uniquemember', 'manager', 'owner', 'seealso', 'secretary', 'memberof']);
/** Attributes whose values reference other entries (referential integrity on rename and delete). */
const REFERENCES = ['member', 'uniqueMember', 'manager', 'owner', 'seeAlso', 'secretary'];
const MAX_COOKIES = 1000;

/**
 * An in-process LDAPv3 directory for the demo (and for trying the SDK without a server): simple
 * bind with one account, the rootDSE (naming context, supported controls, `currentTime`), searches
 * with `base`, `one` and `sub` scope, equality, presence, substring, ordering, `and`, `or` and
 * `not` filters, the simple paged results control, `entryUUID`, `createTimestamp`,
 * `modifyTimestamp` and a computed `memberOf`. Listens on 127.0.0.1 on a free port.
 *
 * Changes go through methods ({@link DemoDirectory.modify}, {@link DemoDirectory.rename}, ...)
 * rather than LDAP writes: each one stamps `modifyTimestamp`, and renames and deletes keep
 * references (`member`, `manager`) pointing at the right entries, like OpenLDAP's refint overlay.
 *
 * @example
 * ```ts
 * const directory = await DemoDirectory.start({ ldif, bindDn: 'cn=demo,dc=example', bindPassword });
 * const datastore = new LdapDatastore({ urls: directory.url, bindDn: 'cn=demo,dc=example', bindPassword, ... });
 * directory.modify('uid=ada,ou=people,dc=example', { title: 'Chief Engineer' });
 * await directory.close();
 * ```
 */
export class DemoDirectory {
  readonly #entries = new Map<string, StoredEntry>();
  readonly #server: LdapjsServer;
  readonly #sockets = new Set<net.Socket>();
  readonly #bound = new WeakSet<net.Socket>();
  readonly #cookies = new Map<string, { keys: string[]; next: number; fingerprint: string }>();
  readonly #bindKey: string;
  readonly #bindPassword: string;
  readonly #now: () => Date;
  readonly #suffix: string;
  #url = '';
  #uuidCounter = 0;
  #stats = { binds: 0, failedBinds: 0, searches: 0, entriesSent: 0 };

  private constructor(options: DemoDirectoryOptions) {
    this.#now = options.now ?? (() => new Date());
    this.#bindKey = normalizeDn(options.bindDn);
    this.#bindPassword = options.bindPassword;
    const records = parseLdif(options.ldif);
    const first = records[0];
    if (first === undefined) throw new Error('the demo directory LDIF holds no entry');
    this.#suffix = first.dn;
    const loadedAt = formatGeneralizedTime(
      options.loadedAt ?? new Date(this.#now().getTime() - 24 * 60 * 60 * 1000),
    );
    for (const record of records) {
      const attributes: Record<string, string[]> = {};
      for (const [name, values] of record.attributes) attributes[name] = [...values];
      this.#insert(record.dn, attributes, loadedAt);
    }
    this.#server = ldapjs.createServer({
      connectionRouter: (socket: net.Socket) => {
        this.#sockets.add(socket);
        socket.once('close', () => this.#sockets.delete(socket));
        socket.on('error', () => socket.destroy());
        this.#server.newConnection(socket);
      },
    });
    // ldapjs emits these without a listener of its own: an unhandled one would end the process.
    this.#server.on('error', () => {});
    this.#server.on('clientError', () => {});
    this.#server.bind('', (req, res) => this.#bind(req, res));
    this.#server.search('', (req, res) => {
      try {
        this.#search(req, res);
      } catch (error) {
        res.errorMessage = error instanceof Error ? error.message : String(error);
        res.end(RESULT.operationsError);
      }
    });
  }

  /**
   * Loads the entries and starts listening on 127.0.0.1 (a free port).
   *
   * @throws Error when the LDIF cannot be read or holds the same DN twice.
   */
  static async start(options: DemoDirectoryOptions): Promise<DemoDirectory> {
    const directory = new DemoDirectory(options);
    await new Promise<void>((resolve) => directory.#server.listen(0, '127.0.0.1', resolve));
    const address = directory.#server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    directory.#url = `ldap://127.0.0.1:${port}`;
    return directory;
  }

  /** `ldap://127.0.0.1:<port>`. */
  get url(): string {
    return this.#url;
  }

  /** The naming context: the DN of the LDIF's first entry. */
  get suffix(): string {
    return this.#suffix;
  }

  /** How many entries the directory holds. */
  get size(): number {
    return this.#entries.size;
  }

  /** A copy of the counters. */
  stats(): DemoDirectoryStats {
    return { ...this.#stats };
  }

  /** A copy of the entry with this DN, or `undefined`. */
  get(dn: string): DemoEntry | undefined {
    const entry = this.#entries.get(normalizeDn(dn));
    return entry === undefined ? undefined : this.#view(entry);
  }

  /** Copies of the entries (in load order) for which `predicate` holds. */
  find(predicate: (entry: DemoEntry) => boolean): DemoEntry[] {
    const found: DemoEntry[] = [];
    for (const entry of this.#entries.values()) {
      const view = this.#view(entry);
      if (predicate(view)) found.push(view);
    }
    return found;
  }

  /** Adds an entry (its parent must exist); stamps its `entryUUID` and timestamps. */
  add(dn: string, attributes: Readonly<Record<string, string | readonly string[]>>): void {
    const parent = parentKeyOf(dn);
    if (!this.#entries.has(parent)) throw new Error(`cannot add ${dn}: its parent does not exist`);
    const values: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(attributes)) values[name] = toList(value);
    this.#insert(dn, values, formatGeneralizedTime(this.#now()));
  }

  /** Replaces (or, with `null`, removes) attributes of an entry, and stamps `modifyTimestamp`. */
  modify(dn: string, changes: DemoChanges): void {
    const entry = this.#require(dn);
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) entry.attributes.delete(name.toLowerCase());
      else setAttribute(entry, name, toList(value));
    }
    this.#touch(entry);
  }

  /** Adds values to an attribute (values already there are kept once), and stamps `modifyTimestamp`. */
  addValues(dn: string, attribute: string, values: readonly string[]): void {
    const entry = this.#require(dn);
    const current = entry.attributes.get(attribute.toLowerCase())?.values ?? [];
    const merged = [...current];
    for (const value of values)
      if (!merged.some((item) => sameValue(attribute, item, value))) merged.push(value);
    setAttribute(entry, attribute, merged);
    this.#touch(entry);
  }

  /** Removes values from an attribute, and stamps `modifyTimestamp`. */
  removeValues(dn: string, attribute: string, values: readonly string[]): void {
    const entry = this.#require(dn);
    const current = entry.attributes.get(attribute.toLowerCase())?.values ?? [];
    const kept = current.filter((item) => !values.some((value) => sameValue(attribute, item, value)));
    if (kept.length === 0) entry.attributes.delete(attribute.toLowerCase());
    else setAttribute(entry, attribute, kept);
    this.#touch(entry);
  }

  /**
   * Renames an entry in place (a modrdn to `newRdn`, such as `uid=ada.king`): the RDN attribute
   * gets the new value, and every reference to the old DN follows. Returns the new DN.
   */
  rename(dn: string, newRdn: string): string {
    const entry = this.#require(dn);
    const [rdn] = parseDn(newRdn);
    const ava = rdn?.[0];
    if (rdn === undefined || ava === undefined || rdn.length !== 1) {
      throw new Error(`rename: ${newRdn} is not a single-valued RDN`);
    }
    const parentDn = entry.dn.slice(entry.dn.indexOf(',') + 1);
    const newDn = `${newRdn},${parentDn}`;
    const newKey = normalizeDn(newDn);
    if (this.#entries.has(newKey)) throw new Error(`rename: ${newDn} exists already`);
    const oldKey = entry.key;
    const attributeName = ava.type;
    const oldValue = parseDn(entry.dn)[0]?.[0]?.value.toString('utf8').toLowerCase();
    const rdnValues = (entry.attributes.get(attributeName.toLowerCase())?.values ?? []).filter(
      (value) => value.toLowerCase() !== oldValue,
    );
    setAttribute(entry, attributeName, [ava.value.toString('utf8'), ...rdnValues]);
    this.#entries.delete(oldKey);
    entry.dn = newDn;
    entry.key = newKey;
    this.#entries.set(newKey, entry);
    this.#touch(entry);
    this.#replaceReferences(oldKey, newDn);
    return newDn;
  }

  /** Deletes an entry (it must have no children) and every reference to it. */
  delete(dn: string): void {
    const entry = this.#require(dn);
    for (const other of this.#entries.values()) {
      if (other.parentKey === entry.key) throw new Error(`cannot delete ${dn}: it has children`);
    }
    this.#entries.delete(entry.key);
    this.#replaceReferences(entry.key, undefined);
  }

  /** Ends every connection and stops listening. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const socket of this.#sockets) socket.destroy();
      this.#sockets.clear();
      this.#server.close(() => resolve());
    });
  }

  // ----------------------------------------------------------------------------------------------

  #insert(dn: string, attributes: Record<string, string[]>, stamp: string): void {
    const key = normalizeDn(dn);
    if (this.#entries.has(key)) throw new Error(`the entry ${dn} exists already`);
    const entry: StoredEntry = { dn, key, parentKey: parentKeyOf(dn), attributes: new Map() };
    for (const [name, values] of Object.entries(attributes)) setAttribute(entry, name, values);
    if (!entry.attributes.has('entryuuid')) setAttribute(entry, 'entryUUID', [this.#uuid(dn)]);
    setAttribute(entry, 'createTimestamp', [stamp]);
    setAttribute(entry, 'modifyTimestamp', [stamp]);
    this.#entries.set(key, entry);
  }

  /** A stable UUID for an entry: the same DN loaded in the same order gets the same one. */
  #uuid(dn: string): string {
    this.#uuidCounter += 1;
    const hex = createHash('sha256')
      .update(`${this.#uuidCounter}\u0000${normalizeDn(dn)}`)
      .digest('hex');
    const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  #require(dn: string): StoredEntry {
    const entry = this.#entries.get(normalizeDn(dn));
    if (entry === undefined) throw new Error(`no entry ${dn}`);
    return entry;
  }

  #touch(entry: StoredEntry): void {
    setAttribute(entry, 'modifyTimestamp', [formatGeneralizedTime(this.#now())]);
  }

  /** Points references to `oldKey` at `newDn`, or removes them when `newDn` is undefined. */
  #replaceReferences(oldKey: string, newDn: string | undefined): void {
    for (const entry of this.#entries.values()) {
      let changed = false;
      for (const name of REFERENCES) {
        const attribute = entry.attributes.get(name.toLowerCase());
        if (attribute === undefined) continue;
        const values = attribute.values.flatMap((value) => {
          if (dnKey(value) !== oldKey) return [value];
          changed = true;
          return newDn === undefined ? [] : [newDn];
        });
        if (values.length === 0) entry.attributes.delete(name.toLowerCase());
        else attribute.values = values;
      }
      if (changed) this.#touch(entry);
    }
  }

  #view(entry: StoredEntry): DemoEntry {
    const attributes: Record<string, string[]> = {};
    for (const attribute of entry.attributes.values()) attributes[attribute.name] = [...attribute.values];
    const memberOf = this.#memberOf(entry);
    if (memberOf.length > 0) attributes.memberOf = memberOf;
    return { dn: entry.dn, attributes };
  }

  #memberOf(entry: StoredEntry): string[] {
    const groups: string[] = [];
    for (const other of this.#entries.values()) {
      const members = other.attributes.get('member')?.values ?? [];
      if (members.some((value) => dnKey(value) === entry.key)) groups.push(other.dn);
    }
    return groups;
  }

  /** The values of `name` (lower case) for filters and results, computed ones included. */
  #values(entry: StoredEntry, name: string): readonly string[] {
    if (name === 'memberof') return this.#memberOf(entry);
    if (name === 'entrydn') return [entry.dn];
    return entry.attributes.get(name)?.values ?? [];
  }

  #bind(req: ServerBindRequest, res: ServerResponse): void {
    this.#stats.binds += 1;
    let key: string | undefined;
    try {
      key = normalizeDn(req.dn.toString());
    } catch {
      key = undefined;
    }
    if (key === this.#bindKey && req.credentials === this.#bindPassword) {
      this.#bound.add(req.connection);
      res.end(RESULT.success);
      return;
    }
    this.#stats.failedBinds += 1;
    this.#bound.delete(req.connection);
    res.errorMessage = 'invalid credentials';
    res.end(RESULT.invalidCredentials);
  }

  #search(req: ServerSearchRequest, res: ServerResponse): void {
    this.#stats.searches += 1;
    const critical = req.controls.find(
      (control) => control.criticality && control.type !== PAGED_RESULTS_OID,
    );
    if (critical !== undefined) {
      res.errorMessage = `critical control ${critical.type} is not supported`;
      res.end(RESULT.unavailableCriticalExtension);
      return;
    }
    const base = req.baseObject.toString();
    const selection = selectAttributes(req.attributes);
    // The selection is made here, without regard to case; ldapjs's own would drop `entryUUID`
    // when `entryuuid` was asked for (and the other way round).
    res.attributes = ['*'];
    if (base === '' && req.scopeName === 'base') {
      const root = this.#rootDse();
      if (this.#matches(req.filter, root)) this.#send(res, root, selection, req.typesOnly, true);
      res.end(RESULT.success);
      return;
    }
    if (!this.#bound.has(req.connection)) {
      res.errorMessage = 'bind first: this directory does not answer anonymous searches';
      res.end(RESULT.insufficientAccessRights);
      return;
    }
    let baseKey: string;
    try {
      baseKey = normalizeDn(base);
    } catch {
      res.errorMessage = `invalid base DN: ${base}`;
      res.end(RESULT.noSuchObject);
      return;
    }
    if (!this.#entries.has(baseKey)) {
      res.errorMessage = `no such object: ${base}`;
      res.end(RESULT.noSuchObject);
      return;
    }

    const paged = req.controls.find((control) => control.type === PAGED_RESULTS_OID);
    const fingerprint = JSON.stringify([baseKey, req.scopeName, req.attributes, String(req.filter)]);
    let keys: string[];
    let start = 0;
    const cookie = paged?.value?.cookie;
    if (paged !== undefined && cookie !== undefined && cookie.length > 0) {
      const state = this.#cookies.get(cookie.toString('hex'));
      this.#cookies.delete(cookie.toString('hex'));
      if (state === undefined || state.fingerprint !== fingerprint) {
        res.errorMessage = 'paged results cookie unknown, used already, or for another search';
        res.end(RESULT.unwillingToPerform);
        return;
      }
      keys = state.keys;
      start = state.next;
    } else {
      keys = [];
      for (const entry of this.#entries.values()) {
        if (inScope(entry, baseKey, req.scopeName) && this.#matches(req.filter, entry)) keys.push(entry.key);
      }
    }

    const pageSize = paged?.value?.size ?? 0;
    if (paged !== undefined && pageSize <= 0) {
      res.addControl(new ldapjs.PagedResultsControl({ value: { size: 0, cookie: Buffer.alloc(0) } }));
      res.end(RESULT.success);
      return;
    }
    const limit =
      paged !== undefined ? pageSize : req.sizeLimit > 0 ? req.sizeLimit : Number.POSITIVE_INFINITY;
    let position = start;
    let sent = 0;
    for (; position < keys.length && sent < limit; position++) {
      const entry = this.#entries.get(keys[position] ?? '');
      if (entry === undefined) continue;
      this.#send(res, entry, selection, req.typesOnly, false);
      sent += 1;
    }
    const more = position < keys.length;
    if (paged !== undefined) {
      let next = Buffer.alloc(0);
      if (more) {
        next = createHash('sha256')
          .update(`${fingerprint}:${position}:${Math.random()}`)
          .digest()
          .subarray(0, 16);
        this.#cookies.set(next.toString('hex'), { keys, next: position, fingerprint });
        if (this.#cookies.size > MAX_COOKIES) {
          const oldest = this.#cookies.keys().next().value;
          if (oldest !== undefined) this.#cookies.delete(oldest);
        }
      }
      res.addControl(new ldapjs.PagedResultsControl({ value: { size: 0, cookie: next } }));
      res.end(RESULT.success);
      return;
    }
    if (more) {
      res.errorMessage = 'size limit exceeded';
      res.end(RESULT.sizeLimitExceeded);
      return;
    }
    res.end(RESULT.success);
  }

  #rootDse(): StoredEntry {
    const entry: StoredEntry = { dn: '', key: '', parentKey: '', attributes: new Map() };
    setAttribute(entry, 'objectClass', ['top', 'extensibleObject']);
    setAttribute(entry, 'namingContexts', [this.#suffix]);
    setAttribute(entry, 'supportedControl', [PAGED_RESULTS_OID]);
    setAttribute(entry, 'supportedLDAPVersion', ['3']);
    setAttribute(entry, 'vendorName', ['aquera-provisioner demo directory']);
    setAttribute(entry, 'currentTime', [formatGeneralizedTime(this.#now())]);
    return entry;
  }

  #send(
    res: ServerResponse,
    entry: StoredEntry,
    selection: AttributeSelection,
    typesOnly: boolean,
    rootDse: boolean,
  ): void {
    const attributes: Record<string, string[]> = {};
    const take = (name: string, values: readonly string[]) => {
      const lower = name.toLowerCase();
      const operational = OPERATIONAL.has(lower) || rootDse;
      const wanted = selection.names.has(lower) || (operational ? selection.operational : selection.user);
      if (wanted && values.length > 0) attributes[name] = typesOnly ? [] : [...values];
    };
    for (const attribute of entry.attributes.values()) take(attribute.name, attribute.values);
    if (!rootDse && (selection.operational || selection.names.has('memberof'))) {
      take('memberOf', this.#memberOf(entry));
    }
    if (!rootDse) take('entryDN', [entry.dn]);
    res.send({ dn: entry.dn, attributes }, true);
    this.#stats.entriesSent += 1;
  }

  #matches(filter: LdapjsFilter, entry: StoredEntry): boolean {
    switch (filter.type) {
      case 'AndFilter':
        return filter.clauses.every((clause) => this.#matches(clause, entry));
      case 'OrFilter':
        return filter.clauses.some((clause) => this.#matches(clause, entry));
      case 'NotFilter': {
        const inner = filter.clauses[0];
        return inner !== undefined && !this.#matches(inner, entry);
      }
      case 'PresenceFilter':
        return this.#values(entry, (filter.attribute ?? '').toLowerCase()).length > 0;
      case 'EqualityFilter':
      case 'ApproximateFilter': {
        const name = (filter.attribute ?? '').toLowerCase();
        const wanted = assertionValue(filter.value);
        return this.#values(entry, name).some((value) => sameValue(name, value, wanted));
      }
      case 'GreaterThanEqualsFilter':
      case 'LessThanEqualsFilter': {
        const name = (filter.attribute ?? '').toLowerCase();
        const wanted = assertionValue(filter.value);
        const sign = filter.type === 'GreaterThanEqualsFilter' ? 1 : -1;
        return this.#values(entry, name).some((value) => compareValues(value, wanted) * sign >= 0);
      }
      case 'SubstringFilter': {
        const name = (filter.attribute ?? '').toLowerCase();
        const pattern = substringPattern(filter);
        return this.#values(entry, name).some((value) => pattern.test(value));
      }
      default:
        // Extensible matches and anything else this directory does not evaluate match nothing.
        return false;
    }
  }
}

interface AttributeSelection {
  readonly user: boolean;
  readonly operational: boolean;
  readonly names: ReadonlySet<string>;
}

function selectAttributes(requested: readonly string[]): AttributeSelection {
  const names = new Set<string>();
  let user = requested.length === 0;
  let operational = false;
  for (const item of requested) {
    if (item === '*') user = true;
    else if (item === '+') operational = true;
    else if (item !== '1.1') names.add(item.toLowerCase());
  }
  return { user, operational, names };
}

function inScope(entry: StoredEntry, baseKey: string, scope: ServerSearchRequest['scopeName']): boolean {
  if (scope === 'base') return entry.key === baseKey;
  if (scope === 'single') return entry.parentKey === baseKey;
  return entry.key === baseKey || entry.key.endsWith(`,${baseKey}`);
}

function setAttribute(entry: StoredEntry, name: string, values: string[]): void {
  const lower = name.toLowerCase();
  const existing = entry.attributes.get(lower);
  if (existing === undefined) entry.attributes.set(lower, { name, values });
  else existing.values = values;
}

function toList(value: string | readonly string[]): string[] {
  return typeof value === 'string' ? [value] : [...value];
}

function parentKeyOf(dn: string): string {
  const parsed = parseDn(dn);
  return parsed.length <= 1 ? '' : normalizeDn(parsed.slice(1));
}

/** Normalised DNs by their text: member lists are compared over and over. */
const DN_KEYS = new Map<string, string | undefined>();
const MAX_DN_KEYS = 100_000;

function dnKey(value: string): string | undefined {
  if (DN_KEYS.has(value)) return DN_KEYS.get(value);
  let key: string | undefined;
  try {
    key = normalizeDn(value);
  } catch {
    key = undefined;
  }
  if (DN_KEYS.size >= MAX_DN_KEYS) DN_KEYS.clear();
  DN_KEYS.set(value, key);
  return key;
}

/**
 * The assertion value as text. ldapjs's server re-parses filters from their string form without
 * undoing RFC 4515 escapes, so `\2a` may arrive as those three characters: undo them here.
 */
function assertionValue(value: unknown): string {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : String(value ?? '');
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const hex = text.slice(index + 1, index + 3);
    if (text[index] === '\\' && /^[0-9a-f]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      index += 2;
    } else {
      bytes.push(...Buffer.from(text[index] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function sameValue(attribute: string, left: string, right: string): boolean {
  if (DN_VALUED.has(attribute.toLowerCase())) {
    const leftKey = dnKey(left);
    return leftKey !== undefined && leftKey === dnKey(right);
  }
  return left.trim().toLowerCase() === right.trim().toLowerCase();
}

/** Orders two values: as times when both are GeneralizedTime, as numbers when both are, else as text. */
function compareValues(left: string, right: string): number {
  const leftTime = parseGeneralizedTime(left);
  const rightTime = parseGeneralizedTime(right);
  if (leftTime !== undefined && rightTime !== undefined) return leftTime.getTime() - rightTime.getTime();
  if (/^-?\d+$/.test(left) && /^-?\d+$/.test(right)) {
    const difference = BigInt(left) - BigInt(right);
    return difference === 0n ? 0 : difference > 0n ? 1 : -1;
  }
  return left.toLowerCase().localeCompare(right.toLowerCase());
}

function substringPattern(filter: LdapjsFilter): RegExp {
  const literal = (text: string) => assertionValue(text).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = [
    filter.initial === undefined || filter.initial === '' ? '' : literal(filter.initial),
    ...(filter.any ?? []).map(literal),
    filter.final === undefined || filter.final === '' ? '' : literal(filter.final),
  ];
  return new RegExp(`^${parts.join('.*')}$`, 'is');
}
