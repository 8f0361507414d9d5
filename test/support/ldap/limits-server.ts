/**
 * An LDAP server (ldapjs's server API) that looks like Active Directory and ENFORCES two of its
 * limits, to prove a client's paging and ranged-retrieval loops (Samba does not enforce either):
 *
 * - **MaxPageSize** (`pageSizeLimit`, default 1000): a search without the simple paged results
 *   control (1.2.840.113556.1.4.319) that matches more entries than the limit returns the first
 *   `pageSizeLimit` entries and then fails with `sizeLimitExceeded` (4). With the control, each page
 *   holds at most `min(requested size, pageSizeLimit)` entries and carries an opaque cookie for the
 *   next page (empty on the last page). A cookie is valid once, for the same search only (base, scope,
 *   filter, attributes); anything else is `unwillingToPerform` (53). A page size of 0 abandons.
 * - **MaxValRange** (`rangeLimit`, default 1500): an attribute with more values than the limit comes
 *   back as `member;range=0-1499` holding the first 1500 values. The client asks for
 *   `member;range=1500-*` (or `member;range=1500-2999`) and gets at most `rangeLimit` values per
 *   request; the last chunk is named `member;range=<low>-*`. A range whose low bound is past the last
 *   value fails the search with `operationsError` (1).
 *
 * It is AD-like enough for auto-detection and for an AD source configuration: the rootDSE has
 * `supportedCapabilities` 1.2.840.113556.1.4.800, `supportedControl` with paged results,
 * `highestCommittedUSN`, `dnsHostName`, `isGlobalCatalogReady`, `defaultNamingContext`; entries carry
 * binary `objectGUID`/`objectSid`, `userAccountControl`, `uSNChanged`, `whenChanged`,
 * `sAMAccountName`, `memberOf`; filters understand the bitwise matching rules (`:1.2.840.113556.1.4.803:`,
 * `.804`), LDAP_MATCHING_RULE_IN_CHAIN (`.1941`) on member/memberOf, `objectCategory=person`,
 * binary `objectGUID` assertions and string SIDs. See {@link LimitsDirectory} for the content.
 *
 * Searches other than the rootDSE need a successful simple bind (as AD: `operationsError` with
 * "a successful bind must be completed" otherwise). The bind account is
 * `CN=Administrator,CN=Users,DC=limits,DC=test` or its UPN `Administrator@limits.test`.
 *
 * Faults: `setDrop(k)` destroys the TCP connection right after the k-th entry of a search (counted
 * across all pages of a paged search), to test that a client fails cleanly or retries, never hangs.
 *
 * Workarounds for ldapjs 3.0.7's server API (all in this file):
 * - it cannot parse a bind name that is not a DN (a UPN such as `user@domain` fails with
 *   invalidDNSyntax before any handler runs, and `BindRequest.name` has no setter): a listener
 *   prepended on each connection's message parser shadows `name`/`dn` of UPN bind requests with a
 *   placeholder DN and remembers the UPN for the bind handler;
 * - it hands the search handler a filter that went through `toString()` and back without unescaping,
 *   so every escaped or binary assertion value (`*`, `(`, `\`, NUL, objectGUID bytes) arrives as literal
 *   escape text: the connection's bytes are framed here first, the exact filter of each SearchRequest
 *   is kept by message id and decoded here ({@link decodeFilter});
 * - `SearchResponse.send` ignores socket back-pressure and building its entry objects is slow (about
 *   5,000 entries/s): entries are BER-encoded here ({@link encodeSearchResultEntry}) and written to
 *   the socket directly, waiting for `drain`;
 * - it records a connection's bind DN only when the bind handler calls `next()`, and never for a
 *   failed bind: whether a connection is bound is tracked here per socket instead.
 *
 * @example
 * ```ts
 * const server = await startLimitsServer({ users: 20_000 });
 * // ... point the client at server.url, bind with server.bindDn / server.password
 * expect(server.stats.sizeLimitExceeded).toBe(0);
 * await server.close();
 * ```
 */
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import ldap from 'ldapjs';
import {
  type EncodedAttribute,
  encodeSearchResultEntry,
  searchRequestFilter,
  tryReadTlv,
  withPlaceholderFilter,
} from './limits-ber';
import {
  type DirectoryAttribute,
  type DirectoryEntry,
  LIMITS_BASE_DN,
  LIMITS_DOMAIN,
  LimitsDirectory,
  normalizeDn,
  SUPPORTED_CONTROLS,
} from './limits-directory';
import { decodeFilter, filterToString, matchesFilter, type SearchFilter } from './limits-filter';

export { LimitsDirectory } from './limits-directory';

/** The OID of the simple paged results control (RFC 2696). */
export const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';

/** Options for {@link startLimitsServer}. */
export interface LimitsServerOptions {
  /** Number of users in `OU=People,DC=limits,DC=test`. */
  users: number;
  /**
   * Members of `CN=Big Group,OU=Groups,DC=limits,DC=test` (the first users).
   * @default users
   */
  bigGroupMembers?: number;
  /**
   * Most entries per search response (AD's MaxPageSize).
   * @default 1000
   */
  pageSizeLimit?: number;
  /**
   * Most values of one attribute per search response (AD's MaxValRange).
   * @default 1500
   */
  rangeLimit?: number;
  /** Destroy the connection right after this many entries of a search (see `setDrop`). */
  dropAfterEntries?: number;
  /**
   * Every n-th user is disabled (userAccountControl 514); 0 for nobody.
   * @default 10
   */
  disabledEvery?: number;
  /**
   * The password of the bind account.
   * @default a random one
   */
  password?: string;
}

/** One search, as the server saw it (the most recent 200 are kept). */
export interface LimitsSearchRecord {
  base: string;
  scope: string;
  /** The decoded filter, binary values written as `\xx`. */
  filter: string;
  attributes: string[];
  /** The page size the client asked for, when it sent the paged results control. */
  pageSize?: number;
  /** Entries sent in this response. */
  entries: number;
  /** The LDAP result code (or -1 when the connection was dropped). */
  resultCode: number;
}

/** Counters, updated live. */
export interface LimitsServerStats {
  connections: number;
  binds: number;
  failedBinds: number;
  /** Search requests (each page counts). */
  searches: number;
  /** Search requests that carried the paged results control. */
  pagedSearches: number;
  entriesSent: number;
  /** Searches answered with sizeLimitExceeded. */
  sizeLimitExceeded: number;
  /** Attributes sent with a `;range=` option. */
  rangedAttributes: number;
  /** Connections destroyed by the drop fault. */
  droppedConnections: number;
  /** Most entries sent in one search response. */
  largestResponse: number;
  /** Most values sent for one attribute in one entry. */
  largestValueCount: number;
  /** The most recent searches, oldest first. */
  searchLog: LimitsSearchRecord[];
}

/** A running limits server. */
export interface LimitsServerHandle {
  /** `ldap://127.0.0.1:<port>`. */
  url: string;
  /** `DC=limits,DC=test`. */
  baseDn: string;
  /** `CN=Administrator,CN=Users,DC=limits,DC=test`. */
  bindDn: string;
  /** `Administrator@limits.test`: also accepted as the bind name, as AD does. */
  userPrincipalName: string;
  password: string;
  /** The effective limits. */
  pageSizeLimit: number;
  rangeLimit: number;
  /** The content: DNs, GUIDs and who is disabled, to derive expectations from. */
  directory: LimitsDirectory;
  /** Live counters (the same object for the server's lifetime; `resetStats` zeroes it in place). */
  stats: LimitsServerStats;
  /**
   * Destroy the connection right after `afterEntries` entries of a search (across the pages of a
   * paged search), `times` times (default: every time); `undefined` turns the fault off.
   */
  setDrop(afterEntries: number | undefined, times?: number): void;
  /** Zeroes the counters and clears the search log. */
  resetStats(): void;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

// --- the parts of ldapjs's (untyped) server objects used here ---

interface ServerControl {
  type: string;
  criticality: boolean;
  value?: { size?: number; cookie?: Buffer };
}

interface ServerRequest {
  messageId: number;
  protocolOp: number;
  controls: ServerControl[];
  connection: net.Socket;
}

interface ServerBindRequest extends ServerRequest {
  dn: { toString(): string } | string;
  credentials: string;
}

interface ServerSearchRequest extends ServerRequest {
  baseObject: { toString(): string };
  scopeName: 'base' | 'single' | 'subtree';
  sizeLimit: number;
  typesOnly: boolean;
  attributes: string[];
  filter: { toBer(): { buffer: Buffer } };
}

interface ServerResponse {
  messageId: number;
  errorMessage: string;
  matchedDN: string;
  addControl(control: unknown): void;
  end(status?: number): void;
}

interface ParsingSocket extends net.Socket {
  parser: {
    write(data: Buffer): boolean;
    prependListener(event: 'message', listener: (request: ServerRequest) => void): void;
  };
}

interface LdapjsServerWithRouter {
  newConnection(socket: net.Socket): void;
  bind(name: string, handler: (req: ServerBindRequest, res: ServerResponse) => void): void;
  search(name: string, handler: (req: ServerSearchRequest, res: ServerResponse) => void): void;
  listen(port: number, host: string, callback: () => void): void;
  address(): net.AddressInfo | string | null;
  close(callback: () => void): void;
  on(event: 'error' | 'clientError', listener: (error: unknown) => void): void;
}

type PagedResultsControlConstructor = new (options: { value: { size: number; cookie: Buffer } }) => unknown;

const ldapjs = ldap as unknown as {
  PagedResultsControl: PagedResultsControlConstructor;
  createServer(options: object): LdapjsServerWithRouter;
};

const LDAP_REQ_BIND = 0x60;
const RESULT = {
  success: 0,
  operationsError: 1,
  protocolError: 2,
  sizeLimitExceeded: 4,
  unavailableCriticalExtension: 12,
  noSuchObject: 32,
  invalidCredentials: 49,
  unwillingToPerform: 53,
} as const;
const NOT_BOUND_MESSAGE =
  '000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this operation a successful bind must be ' +
  'completed on the connection., data 0, v4563';
const INVALID_CREDENTIALS_MESSAGE =
  '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563';
const MAX_COOKIES = 10_000;
const SEARCH_LOG_SIZE = 200;

function emptyStats(): LimitsServerStats {
  return {
    connections: 0,
    binds: 0,
    failedBinds: 0,
    searches: 0,
    pagedSearches: 0,
    entriesSent: 0,
    sizeLimitExceeded: 0,
    rangedAttributes: 0,
    droppedConnections: 0,
    largestResponse: 0,
    largestValueCount: 0,
    searchLog: [],
  };
}

/** Thrown while building an entry when a requested range cannot be served. */
class RangeRequestError extends Error {
  override name = 'RangeRequestError';
}

interface AttributeSelection {
  all: boolean;
  names: Set<string>;
  /** Requested ranges by lower-cased attribute name. */
  ranges: Map<string, { low: number; high: number | undefined }>;
}

function parseSelection(requested: readonly string[]): AttributeSelection {
  const selection: AttributeSelection = { all: requested.length === 0, names: new Set(), ranges: new Map() };
  for (const item of requested) {
    if (item === '*') {
      selection.all = true;
      continue;
    }
    if (item === '1.1' || item === '+') continue;
    const [name = '', ...options] = item.toLowerCase().split(';');
    const range = options
      .map((option) => /^range=(\d+)-(\d+|\*)$/.exec(option))
      .find((match) => match !== null);
    if (range?.[1] !== undefined && range[2] !== undefined) {
      if (!selection.ranges.has(name)) {
        const high = range[2] === '*' ? undefined : Number.parseInt(range[2], 10);
        selection.ranges.set(name, { low: Number.parseInt(range[1], 10), high });
      }
    } else {
      selection.names.add(name);
    }
  }
  return selection;
}

interface CookieState {
  next: number;
  sent: number;
  fingerprint: string;
}

function writeToSocket(socket: net.Socket, bytes: Buffer): Promise<boolean> {
  if (socket.destroyed || !socket.writable) return Promise.resolve(false);
  if (socket.write(bytes)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}

function validateOptions(options: LimitsServerOptions): void {
  const check = (field: string, value: number | undefined, minimum: number): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < minimum)) {
      throw new TypeError(`startLimitsServer: options.${field} must be an integer >= ${minimum}`);
    }
  };
  check('users', options.users, 0);
  check('bigGroupMembers', options.bigGroupMembers, 0);
  check('pageSizeLimit', options.pageSizeLimit, 1);
  check('rangeLimit', options.rangeLimit, 1);
  check('dropAfterEntries', options.dropAfterEntries, 0);
  check('disabledEvery', options.disabledEvery, 0);
  if ((options.bigGroupMembers ?? 0) > options.users) {
    throw new TypeError('startLimitsServer: options.bigGroupMembers cannot exceed options.users');
  }
}

/**
 * Starts the limits server on 127.0.0.1 (a free port). See the module documentation.
 *
 * @example
 * ```ts
 * const server = await startLimitsServer({ users: 3000, bigGroupMembers: 3000, pageSizeLimit: 500 });
 * const client = ldap.createClient({ url: server.url });
 * ```
 */
export async function startLimitsServer(options: LimitsServerOptions): Promise<LimitsServerHandle> {
  validateOptions(options);
  const pageSizeLimit = options.pageSizeLimit ?? 1000;
  const rangeLimit = options.rangeLimit ?? 1500;
  const password = options.password ?? randomBytes(18).toString('base64url');
  const directory = new LimitsDirectory({
    users: options.users,
    bigGroupMembers: options.bigGroupMembers ?? options.users,
    disabledEvery: options.disabledEvery ?? 10,
    seed: randomBytes(8).toString('hex'),
  });
  const bindDn = directory.administratorDn;
  const userPrincipalName = `Administrator@${LIMITS_DOMAIN}`;
  const stats = emptyStats();
  let dropAfter = options.dropAfterEntries;
  let dropsLeft = Number.POSITIVE_INFINITY;
  const sockets = new Set<net.Socket>();
  const authenticated = new WeakSet<net.Socket>();
  const upnBinds = new WeakMap<object, string>();
  const cookies = new Map<string, CookieState>();
  const rawFilters = new WeakMap<net.Socket, Map<number, Buffer>>();

  /**
   * Frames the connection's bytes into whole LDAP messages before ldapjs's parser sees them, and
   * keeps the exact filter bytes of each SearchRequest by message id (ldapjs loses them).
   */
  const captureFilters = (socket: ParsingSocket): void => {
    const parser = socket.parser;
    const parse = parser.write.bind(parser);
    const filters = new Map<number, Buffer>();
    rawFilters.set(socket, filters);
    let pending: Buffer | undefined;
    parser.write = (data: Buffer): boolean => {
      pending = pending === undefined ? data : Buffer.concat([pending, data]);
      while (pending !== undefined) {
        let element: ReturnType<typeof tryReadTlv>;
        try {
          element = tryReadTlv(pending, 0);
        } catch {
          const garbage = pending;
          pending = undefined;
          return parse(garbage); // let ldapjs report the protocol error
        }
        if (element === undefined) return true;
        const message = Buffer.from(pending.subarray(0, element.end));
        pending = element.end < pending.length ? pending.subarray(element.end) : undefined;
        let forLdapjs: Buffer = message;
        try {
          const search = searchRequestFilter(message);
          if (search !== undefined) {
            filters.set(search.messageId, Buffer.from(search.filter));
            forLdapjs = withPlaceholderFilter(message);
          }
        } catch {
          // not a well-formed search request: ldapjs will answer it
        }
        parse(forLdapjs);
      }
      return true;
    };
  };

  const server: LdapjsServerWithRouter = ldapjs.createServer({
    connectionRouter: (socket: net.Socket) => {
      stats.connections++;
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      server.newConnection(socket);
      captureFilters(socket as ParsingSocket);
      // ldapjs parses every bind name as a DN and fails UPNs before any handler runs.
      (socket as ParsingSocket).parser.prependListener('message', (request) => {
        if (request.protocolOp !== LDAP_REQ_BIND) return;
        const name = String((request as ServerBindRequest).dn);
        if (!name.includes('@') || name.includes('=')) return;
        upnBinds.set(request, name);
        for (const property of ['name', 'dn']) {
          Object.defineProperty(request, property, { value: 'CN=UPN bind placeholder', configurable: true });
        }
      });
    },
  });
  server.on('error', () => {});
  server.on('clientError', () => {});

  const log = (record: LimitsSearchRecord): void => {
    stats.searchLog.push(record);
    if (stats.searchLog.length > SEARCH_LOG_SIZE) stats.searchLog.shift();
  };

  server.bind('', (req, res) => {
    stats.binds++;
    const upn = upnBinds.get(req);
    const name = upn ?? String(req.dn);
    const nameMatches =
      upn === undefined
        ? normalizeDn(name) === normalizeDn(bindDn)
        : name.toLowerCase() === userPrincipalName.toLowerCase();
    if (nameMatches && req.credentials === password) {
      authenticated.add(req.connection);
      res.end(RESULT.success);
      return;
    }
    stats.failedBinds++;
    authenticated.delete(req.connection);
    res.errorMessage = INVALID_CREDENTIALS_MESSAGE;
    res.end(RESULT.invalidCredentials);
  });

  const buildAttributes = (
    entry: DirectoryEntry,
    selection: AttributeSelection,
    typesOnly: boolean,
  ): EncodedAttribute[] => {
    const attributes: EncodedAttribute[] = [];
    const add = (name: string, values: Array<string | Buffer>): void => {
      stats.largestValueCount = Math.max(stats.largestValueCount, values.length);
      attributes.push({ type: name, values: typesOnly ? [] : values });
    };
    for (const attribute of entry.attributes as DirectoryAttribute[]) {
      const lower = attribute.name.toLowerCase();
      const range = selection.ranges.get(lower);
      if (range === undefined && !selection.all && !selection.names.has(lower)) continue;
      const values = attribute.values;
      if (range !== undefined) {
        if (range.low >= values.length || (range.high !== undefined && range.high < range.low)) {
          throw new RangeRequestError(
            `${attribute.name};range=${range.low}-${range.high ?? '*'}: no such values`,
          );
        }
        const last = Math.min(range.high ?? values.length - 1, range.low + rangeLimit - 1, values.length - 1);
        const high = last === values.length - 1 ? '*' : String(last);
        stats.rangedAttributes++;
        add(`${attribute.name};range=${range.low}-${high}`, values.slice(range.low, last + 1));
      } else if (values.length > rangeLimit) {
        stats.rangedAttributes++;
        add(`${attribute.name};range=0-${rangeLimit - 1}`, values.slice(0, rangeLimit));
      } else {
        add(attribute.name, values);
      }
    }
    return attributes;
  };

  const finish = (res: ServerResponse, record: LimitsSearchRecord, code: number, message = ''): void => {
    record.resultCode = code;
    if (message !== '') res.errorMessage = message;
    res.end(code);
  };

  const search = async (req: ServerSearchRequest, res: ServerResponse): Promise<void> => {
    stats.searches++;
    const socket = req.connection;
    const base = req.baseObject.toString();
    const normalizedBase = normalizeDn(base);
    const scope = req.scopeName;
    const record: LimitsSearchRecord = {
      base,
      scope,
      filter: '',
      attributes: [...req.attributes],
      entries: 0,
      resultCode: -1,
    };
    log(record);
    const filters = rawFilters.get(socket);
    const rawFilter = filters?.get(req.messageId);
    filters?.delete(req.messageId);
    let filter: SearchFilter;
    try {
      filter = decodeFilter(rawFilter ?? req.filter.toBer().buffer);
      record.filter = filterToString(filter);
    } catch (error) {
      finish(res, record, RESULT.protocolError, error instanceof Error ? error.message : 'bad filter');
      return;
    }
    const unsupported = req.controls.find(
      (control) => control.criticality && !(SUPPORTED_CONTROLS as readonly string[]).includes(control.type),
    );
    if (unsupported !== undefined) {
      finish(
        res,
        record,
        RESULT.unavailableCriticalExtension,
        `critical control ${unsupported.type} not supported`,
      );
      return;
    }
    const paged = req.controls.find((control) => control.type === PAGED_RESULTS_OID);
    const selection = parseSelection(req.attributes);
    const sendOne = async (entry: DirectoryEntry): Promise<boolean> => {
      const message = encodeSearchResultEntry(
        res.messageId,
        entry.dn,
        buildAttributes(entry, selection, req.typesOnly),
      );
      const written = await writeToSocket(socket, message);
      if (written) {
        stats.entriesSent++;
        record.entries++;
      }
      return written;
    };

    // Entries outside the domain naming context, readable with a base search.
    if (normalizedBase === '' || normalizedBase === normalizeDn(directory.ntdsSettingsDn)) {
      const isRootDse = normalizedBase === '';
      if (!isRootDse && !authenticated.has(socket)) {
        finish(res, record, RESULT.operationsError, NOT_BOUND_MESSAGE);
        return;
      }
      if (scope === 'base') {
        const entry = isRootDse ? directory.rootDse(pageSizeLimit, rangeLimit) : directory.ntdsSettings();
        if (matchesFilter(entry, filter) && !(await sendOne(entry))) return;
      }
      finish(res, record, RESULT.success);
      return;
    }
    if (!authenticated.has(socket)) {
      finish(res, record, RESULT.operationsError, NOT_BOUND_MESSAGE);
      return;
    }
    const basePosition = directory.positionOf(base);
    if (basePosition === undefined) {
      res.matchedDN = normalizedBase.endsWith(normalizeDn(LIMITS_BASE_DN)) ? LIMITS_BASE_DN : '';
      finish(res, record, RESULT.noSuchObject, `0000208D: NameErr: DSID-03100241, problem 2001 (NO_OBJECT)`);
      return;
    }
    const inScope = (position: number): boolean => {
      if (scope === 'base') return position === basePosition;
      if (scope === 'single') return directory.parentOf(position) === normalizedBase;
      return (
        position === basePosition || normalizeDn(directory.dnAt(position)).endsWith(`,${normalizedBase}`)
      );
    };

    let start = 0;
    let sentBefore = 0;
    let limit = Math.min(req.sizeLimit > 0 ? req.sizeLimit : Number.POSITIVE_INFINITY, pageSizeLimit);
    const fingerprint = JSON.stringify([normalizedBase, scope, record.filter, req.attributes, req.typesOnly]);
    if (paged !== undefined) {
      stats.pagedSearches++;
      const requestedSize = paged.value?.size ?? 0;
      const cookie = paged.value?.cookie ?? Buffer.alloc(0);
      record.pageSize = requestedSize;
      if (cookie.length > 0) {
        const key = cookie.toString('hex');
        const state = cookies.get(key);
        cookies.delete(key);
        if (state === undefined || state.fingerprint !== fingerprint) {
          finish(
            res,
            record,
            RESULT.unwillingToPerform,
            'paged results cookie unknown, used, or for another search',
          );
          return;
        }
        start = state.next;
        sentBefore = state.sent;
      }
      if (requestedSize <= 0) {
        res.addControl(new ldapjs.PagedResultsControl({ value: { size: 0, cookie: Buffer.alloc(0) } }));
        finish(res, record, RESULT.success);
        return;
      }
      limit = Math.min(requestedSize, pageSizeLimit);
    }

    const dropNow = (): boolean => {
      if (dropAfter === undefined || dropsLeft <= 0 || sentBefore + record.entries < dropAfter) return false;
      dropsLeft--;
      stats.droppedConnections++;
      socket.destroy();
      return true;
    };
    if (dropNow()) return;
    let position = start;
    let more = false;
    for (; position < directory.size; position++) {
      if (!inScope(position)) continue;
      const entry = directory.entryAt(position);
      if (!matchesFilter(entry, filter)) continue;
      if (record.entries >= limit) {
        more = true;
        break;
      }
      try {
        if (!(await sendOne(entry))) return;
      } catch (error) {
        if (!(error instanceof RangeRequestError)) throw error;
        finish(res, record, RESULT.operationsError, error.message);
        return;
      }
      if (dropNow()) return;
    }
    stats.largestResponse = Math.max(stats.largestResponse, record.entries);
    if (paged !== undefined) {
      let cookie = Buffer.alloc(0);
      if (more) {
        cookie = randomBytes(16);
        cookies.set(cookie.toString('hex'), {
          next: position,
          sent: sentBefore + record.entries,
          fingerprint,
        });
        if (cookies.size > MAX_COOKIES) {
          const oldest = cookies.keys().next().value;
          if (oldest !== undefined) cookies.delete(oldest);
        }
      }
      res.addControl(new ldapjs.PagedResultsControl({ value: { size: 0, cookie } }));
      finish(res, record, RESULT.success);
      return;
    }
    if (more) {
      stats.sizeLimitExceeded++;
      finish(res, record, RESULT.sizeLimitExceeded, 'Size limit exceeded');
      return;
    }
    finish(res, record, RESULT.success);
  };

  server.search('', (req, res) => {
    search(req, res).catch((error: unknown) => {
      res.errorMessage = error instanceof Error ? error.message : String(error);
      res.end(RESULT.operationsError);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    url: `ldap://127.0.0.1:${port}`,
    baseDn: LIMITS_BASE_DN,
    bindDn,
    userPrincipalName,
    password,
    pageSizeLimit,
    rangeLimit,
    directory,
    stats,
    setDrop(afterEntries, times) {
      if (afterEntries !== undefined && (!Number.isInteger(afterEntries) || afterEntries < 0)) {
        throw new TypeError('setDrop: afterEntries must be a non-negative integer or undefined');
      }
      dropAfter = afterEntries;
      dropsLeft = times ?? Number.POSITIVE_INFINITY;
    },
    resetStats() {
      Object.assign(stats, emptyStats());
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        server.close(() => resolve());
      }),
  };
}
