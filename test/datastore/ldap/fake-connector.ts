/**
 * A scripted in-process stand-in for an LDAP server, plugged in through `LdapDatastore`'s and
 * `LdapSession`'s `connector` seam: paged results with cookies, values in ranges, and faults
 * (refused connects, failed binds, dropped connections, servers that stop answering). It
 * evaluates only the filters these tests send.
 */
import { LdapTransportError } from '../../../src/datastore/errors/LdapTransportError';
import type { LdapFilter } from '../../../src/datastore/ldap/filter/ast';
import type {
  LdapConnection,
  LdapConnector,
  LdapConnectRequest,
  LdapRawEntry,
  LdapSearchPage,
  LdapSearchRequest,
} from '../../../src/datastore/ldap/transport';

export interface FakeEntry {
  readonly dn: string;
  readonly attributes: Readonly<Record<string, readonly (string | Buffer)[]>>;
}

export interface FakeDirectoryOptions {
  readonly entries: readonly FakeEntry[];
  /** Values per response before an attribute is split into ranges. @default Infinity */
  readonly rangeLimit?: number;
  /** The password binds must use. @default 'secret' */
  readonly password?: string;
  /** Text the server puts in a failed bind's diagnostic message. */
  readonly bindDiagnostic?: string;
}

/** What the fake saw, for assertions. */
export interface FakeLog {
  connects: string[];
  binds: number;
  startTls: number;
  searches: LdapSearchRequest[];
  destroyed: number;
}

function matches(entry: FakeEntry, filter: LdapFilter): boolean {
  const values = (name: string): string[] => {
    const key = Object.keys(entry.attributes).find(
      (candidate) => candidate.toLowerCase() === name.toLowerCase(),
    );
    return (key === undefined ? [] : (entry.attributes[key] ?? [])).map((value) =>
      value.toString().toLowerCase(),
    );
  };
  switch (filter.type) {
    case 'and':
      return filter.filters.every((inner) => matches(entry, inner));
    case 'or':
      return filter.filters.some((inner) => matches(entry, inner));
    case 'not':
      return !matches(entry, filter.filter);
    case 'present':
      return filter.attribute.toLowerCase() === 'objectclass' || values(filter.attribute).length > 0;
    case 'equal':
      return values(filter.attribute).includes(filter.value.toString().toLowerCase());
    case 'greaterOrEqual':
      return values(filter.attribute).some((value) => value >= filter.value.toString().toLowerCase());
    default:
      return false;
  }
}

/** A fake directory and the connector that reaches it. */
export class FakeDirectory {
  readonly log: FakeLog = { connects: [], binds: 0, startTls: 0, searches: [], destroyed: 0 };
  /** URLs that refuse connections. */
  readonly refused = new Set<string>();
  /** Drop the connection after this many entries of the next searches (counted per connection). */
  dropAfterEntries: number | undefined;
  /** How many more times to drop (each drop decrements). */
  drops = 0;
  /** Never answer searches while true. */
  hang = false;
  /** Answer every search with this LDAP result code. */
  failSearchWith: number | undefined;
  entries: FakeEntry[];
  readonly #options: FakeDirectoryOptions;

  constructor(options: FakeDirectoryOptions) {
    this.#options = options;
    this.entries = [...options.entries];
  }

  readonly connector: LdapConnector = async (request: LdapConnectRequest) => {
    this.log.connects.push(request.endpoint.url);
    if (this.refused.has(request.endpoint.url)) {
      throw new LdapTransportError(
        'network',
        `connect ECONNREFUSED ${request.endpoint.host}:${request.endpoint.port}`,
        {
          code: 'ECONNREFUSED',
        },
      );
    }
    return this.#connection();
  };

  #connection(): LdapConnection {
    let closed = false;
    let sentOnConnection = 0;
    const listeners: (() => void)[] = [];
    const pending: ((error: Error) => void)[] = [];
    const close = (): void => {
      if (closed) return;
      closed = true;
      for (const reject of pending.splice(0)) reject(new LdapTransportError('closed', 'connection closed'));
      for (const listener of listeners.splice(0)) listener();
    };
    const directory = this;
    return {
      async startTls() {
        directory.log.startTls += 1;
      },
      async bind(_dn, password) {
        directory.log.binds += 1;
        if (password !== (directory.#options.password ?? 'secret')) {
          throw new LdapTransportError('result', directory.#options.bindDiagnostic ?? 'Invalid Credentials', {
            resultCode: 49,
          });
        }
      },
      search(request: LdapSearchRequest): Promise<LdapSearchPage> {
        directory.log.searches.push(request);
        if (closed) return Promise.reject(new LdapTransportError('closed', 'connection closed'));
        if (directory.hang) return new Promise((_, reject) => pending.push(reject));
        if (directory.failSearchWith !== undefined) {
          return Promise.reject(
            new LdapTransportError('result', 'Size Limit Exceeded', { resultCode: directory.failSearchWith }),
          );
        }
        const page = directory.#answer(request);
        for (const _entry of page.entries) {
          sentOnConnection += 1;
          if (
            directory.dropAfterEntries !== undefined &&
            directory.drops > 0 &&
            sentOnConnection > directory.dropAfterEntries
          ) {
            directory.drops -= 1;
            close();
            return Promise.reject(new LdapTransportError('closed', 'connection reset by peer'));
          }
        }
        return Promise.resolve(page);
      },
      async close() {
        close();
      },
      destroy() {
        directory.log.destroyed += 1;
        close();
      },
      onClose(listener) {
        if (closed) listener();
        else listeners.push(listener);
      },
    };
  }

  #answer(request: LdapSearchRequest): LdapSearchPage {
    const inScope = (entry: FakeEntry): boolean => {
      const dn = entry.dn.toLowerCase();
      const base = request.base.toLowerCase();
      if (request.scope === 'base') return dn === base;
      return dn === base || dn.endsWith(`,${base}`) || base === '';
    };
    const found = this.entries.filter((entry) => inScope(entry) && matches(entry, request.filter));
    if (request.scope === 'base' && found.length === 0) {
      throw new LdapTransportError('result', 'No Such Object', { resultCode: 32 });
    }
    const offset =
      request.paged === undefined || request.paged.cookie.length === 0
        ? 0
        : request.paged.cookie.readUInt32BE(0);
    const size = request.paged === undefined ? found.length : request.paged.size;
    const slice = found.slice(offset, offset + size);
    const nextOffset = offset + slice.length;
    const cookie =
      request.paged === undefined
        ? undefined
        : nextOffset >= found.length || size === 0
          ? Buffer.alloc(0)
          : Buffer.from([
              nextOffset >>> 24,
              (nextOffset >>> 16) & 255,
              (nextOffset >>> 8) & 255,
              nextOffset & 255,
            ]);
    return { entries: slice.map((entry) => this.#render(entry, request.attributes)), references: 0, cookie };
  }

  #render(entry: FakeEntry, wanted: readonly string[]): LdapRawEntry {
    const limit = this.#options.rangeLimit ?? Number.POSITIVE_INFINITY;
    const attributes = [];
    for (const [type, rawValues] of Object.entries(entry.attributes)) {
      const values = rawValues.map((value) => (typeof value === 'string' ? Buffer.from(value) : value));
      const asked = wanted.find((name) => name.toLowerCase().split(';')[0] === type.toLowerCase());
      if (wanted.length > 0 && !wanted.includes('*') && asked === undefined) continue;
      const range = asked === undefined ? undefined : /;range=(\d+)-/.exec(asked);
      const from = range?.[1] === undefined ? 0 : Number(range[1]);
      if (values.length - from <= limit && from === 0) {
        attributes.push({ type, values });
        continue;
      }
      const to = Math.min(values.length, from + limit);
      const last = to >= values.length;
      attributes.push({
        type: `${type};range=${from}-${last ? '*' : to - 1}`,
        values: values.slice(from, to),
      });
    }
    return { dn: entry.dn, attributes };
  }
}

/** `count` people entries under `ou=people,dc=test`. */
export function people(count: number): FakeEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    dn: `uid=user${index},ou=people,dc=test`,
    attributes: {
      objectClass: ['inetOrgPerson'],
      uid: [`user${index}`],
      entryUUID: [`00000000-0000-4000-8000-${String(index).padStart(12, '0')}`],
    },
  }));
}
