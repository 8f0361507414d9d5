/**
 * The one place that uses ldapjs: an {@link LdapConnector} built on ldapjs 3.0.7. Everything
 * else in the adapter speaks the small interface of `transport.ts`, so ldapjs could be replaced
 * by changing only this file.
 *
 * ldapjs 3.0.7 traps avoided here (each reproduced against real servers):
 * - its request queue: with the queue on, a request sent after a connection dropped waits for a
 *   reconnect that never comes, past every timeout; the queue is disabled (`queueDisable`) and
 *   its own reconnect is off, so such a request fails at once and the session reconnects;
 * - a search's scope defaults to `base`: the scope is always passed;
 * - `attribute.values` decodes every value as UTF-8 (objectGUID comes out mangled): raw
 *   `buffers` are read instead;
 * - its filter parser sends `\XX` escapes as written and its filter classes write values as
 *   UTF-8 strings: filters are encoded from our own AST (`filter/ber.ts`);
 * - its automatic paging drops search references and reads ahead without back-pressure: each
 *   page is one request here, driven by the session;
 * - a search base given as a string is parsed and re-rendered by its DN class, which drops a
 *   backslash in a value: the base is passed as a DN-like object that renders the exact text;
 * - an entry's DN is handed over as a parsed DN whose `toString()` drops escapes (`\5C`, a
 *   backslash in a value, comes out bare, which is no longer a valid DN): the DN is rebuilt from
 *   its parsed RDN values instead;
 * - an `error` event without a listener would crash the process: a listener is always attached.
 *
 * @module
 */

import ldapjs from 'ldapjs';
import { LdapTransportError } from '../errors/LdapTransportError';
import { escapeDnValue } from './dn';
import type { LdapFilter } from './filter/ast';
import { encodeLdapFilter } from './filter/ber';
import { formatLdapFilter } from './filter/format';
import type {
  LdapConnection,
  LdapConnector,
  LdapRawAttribute,
  LdapRawEntry,
  LdapSearchPage,
  LdapSearchRequest,
  LdapTlsSettings,
} from './transport';

/** The parts of ldapjs's untyped (or loosely typed) API that this module uses. */
interface LdapjsModule {
  createClient(options: Record<string, unknown>): LdapjsClient;
  FilterString: new () => object;
  PagedResultsControl: new (options: { value: { size: number; cookie: Buffer } }) => object;
  Control: new (options: { type: string; criticality: boolean; value: undefined }) => object;
}

interface LdapjsClient {
  on(event: string, listener: (...args: unknown[]) => void): void;
  once(event: string, listener: (...args: unknown[]) => void): void;
  removeListener(event: string, listener: (...args: unknown[]) => void): void;
  bind(dn: string, password: string, controls: object[], callback: (error: unknown) => void): void;
  starttls(options: Record<string, unknown>, controls: object[], callback: (error: unknown) => void): void;
  search(
    base: object,
    options: Record<string, unknown>,
    controls: object[],
    callback: (error: unknown, response: LdapjsSearchResponse) => void,
  ): void;
  unbind(callback: (error: unknown) => void): void;
  destroy(error?: unknown): void;
}

interface LdapjsSearchResponse {
  on(event: 'searchEntry', listener: (entry: LdapjsEntry) => void): void;
  on(event: 'searchReference', listener: () => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  on(event: 'end', listener: (result: { controls?: readonly LdapjsControl[] } | null) => void): void;
}

interface LdapjsDn {
  readonly length: number;
  rdnAt(index: number): { keys(): Iterable<string>; getValue(name: string): unknown } | undefined;
}

interface LdapjsEntry {
  objectName: LdapjsDn | string;
  attributes: readonly { type: string; buffers: Buffer[] }[];
}

interface LdapjsControl {
  type: string;
  value?: { cookie?: Buffer };
}

const ldap = ldapjs as unknown as LdapjsModule;
const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';

/**
 * A filter ldapjs sends as the BER bytes we encoded. It passes ldapjs's `FilterString` type
 * check (the `Symbol.toStringTag`) and overrides the two methods ldapjs calls.
 */
function encodedFilter(filter: LdapFilter): object {
  const encoded = encodeLdapFilter(filter);
  const text = formatLdapFilter(filter);
  const instance = new ldap.FilterString();
  Object.defineProperties(instance, {
    toBer: { value: () => ({ buffer: encoded }) },
    toString: { value: () => text },
  });
  return instance;
}

/**
 * Opens a connection with ldapjs (TCP, or TLS for `ldaps://`), queue and auto-reconnect off.
 *
 * @example
 * ```ts
 * new LdapDatastore({ urls: ['ldaps://dc1.example.com'], users: { baseDn }, connector: connectWithLdapjs });
 * ```
 */
export const connectWithLdapjs: LdapConnector = (request) =>
  new Promise<LdapConnection>((resolve, reject) => {
    let client: LdapjsClient;
    try {
      client = ldap.createClient({
        url: request.endpoint.url,
        tlsOptions: tlsOptions(request.tls, request.endpoint.host),
        connectTimeout: request.connectTimeout,
        queueDisable: true,
        reconnect: false,
      });
    } catch (error) {
      reject(transportError(error, 'network'));
      return;
    }
    // ldapjs emits `error` for socket failures at any time; without a listener Node would throw.
    client.on('error', () => {});
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      client.destroy();
      reject(transportError(error, 'network'));
    };
    for (const event of ['error', 'connectError', 'connectRefused', 'connectTimeout', 'setupError']) {
      client.once(event, fail);
    }
    client.once('connect', () => {
      if (settled) return;
      settled = true;
      for (const event of ['error', 'connectError', 'connectRefused', 'connectTimeout', 'setupError']) {
        client.removeListener(event, fail);
      }
      resolve(new LdapjsConnection(client));
    });
  });

function tlsOptions(tls: LdapTlsSettings, host: string): Record<string, unknown> {
  return {
    ...(tls.ca === undefined
      ? {}
      : { ca: typeof tls.ca === 'string' || Buffer.isBuffer(tls.ca) ? tls.ca : [...tls.ca] }),
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    host,
  };
}

class LdapjsConnection implements LdapConnection {
  readonly #client: LdapjsClient;
  #closed = false;
  readonly #closeListeners: (() => void)[] = [];

  constructor(client: LdapjsClient) {
    this.#client = client;
    const onClosed = (): void => {
      if (this.#closed) return;
      this.#closed = true;
      for (const listener of this.#closeListeners.splice(0)) listener();
    };
    client.on('close', onClosed);
    client.on('destroy', onClosed);
  }

  startTls(tls: LdapTlsSettings & { readonly host: string }): Promise<void> {
    return this.#call((callback) => this.#client.starttls(tlsOptions(tls, tls.host), [], callback), 'tls');
  }

  bind(dn: string, password: string): Promise<void> {
    return this.#call((callback) => this.#client.bind(dn, password, [], callback), 'network');
  }

  search(request: LdapSearchRequest): Promise<LdapSearchPage> {
    return new Promise<LdapSearchPage>((resolve, reject) => {
      if (this.#closed) {
        reject(new LdapTransportError('closed', 'connection closed'));
        return;
      }
      const controls: object[] = [];
      if (request.paged !== undefined) {
        controls.push(
          new ldap.PagedResultsControl({ value: { size: request.paged.size, cookie: request.paged.cookie } }),
        );
      }
      for (const control of request.controls ?? []) {
        controls.push(
          new ldap.Control({ type: control.oid, criticality: control.critical, value: undefined }),
        );
      }
      const entries: LdapRawEntry[] = [];
      let references = 0;
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        reject(transportError(error, 'network'));
      };
      try {
        this.#client.search(
          exactDn(request.base),
          {
            scope: request.scope,
            filter: encodedFilter(request.filter),
            attributes: [...request.attributes],
            timeLimit: request.timeLimit,
            sizeLimit: 0,
          },
          controls,
          (error, response) => {
            if (error) {
              fail(error);
              return;
            }
            response.on('searchEntry', (entry) => {
              entries.push(rawEntry(entry));
            });
            response.on('searchReference', () => {
              references += 1;
            });
            response.on('error', fail);
            response.on('end', (result) => {
              if (settled) return;
              settled = true;
              const paged = result?.controls?.find((control) => control.type === PAGED_RESULTS_OID);
              const cookie = paged === undefined ? undefined : (paged.value?.cookie ?? Buffer.alloc(0));
              resolve({ entries, references, cookie });
            });
          },
        );
      } catch (error) {
        fail(error);
      }
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#client.unbind(() => {
        this.#client.destroy();
        resolve();
      });
    });
  }

  destroy(): void {
    this.#client.destroy();
  }

  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#closeListeners.push(listener);
  }

  #call(run: (callback: (error: unknown) => void) => void, failure: 'network' | 'tls'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#closed) {
        reject(new LdapTransportError('closed', 'connection closed'));
        return;
      }
      try {
        run((error) => (error ? reject(transportError(error, failure)) : resolve()));
      } catch (error) {
        reject(transportError(error, failure));
      }
    });
  }
}

/**
 * A DN ldapjs sends as written: it passes ldapjs's DN type check (`Symbol.toStringTag` LdapDn)
 * and ldapjs only calls `toString()` on it to encode the request.
 */
function exactDn(text: string): object {
  return {
    get [Symbol.toStringTag]() {
      return 'LdapDn';
    },
    toString: () => text,
  };
}

function rawEntry(entry: LdapjsEntry): LdapRawEntry {
  const attributes: LdapRawAttribute[] = entry.attributes.map((attribute) => ({
    type: attribute.type,
    values: attribute.buffers,
  }));
  return { dn: dnText(entry.objectName), attributes };
}

/** Renders the DN ldapjs parsed, from its RDN values (its own `toString()` loses escapes). */
function dnText(objectName: LdapjsDn | string): string {
  if (typeof objectName === 'string') return objectName;
  if (typeof objectName.rdnAt !== 'function') return String(objectName);
  const rdns: string[] = [];
  for (let index = 0; index < objectName.length; index += 1) {
    const rdn = objectName.rdnAt(index);
    if (rdn === undefined) continue;
    const parts: string[] = [];
    for (const name of rdn.keys()) {
      const value = rdn.getValue(name);
      if (typeof value === 'string') {
        parts.push(`${name}=${escapeDnValue(value)}`);
      } else {
        // A `#hex` (BER) value comes as a reader over its bytes.
        const bytes = (value as { buffer?: unknown } | undefined)?.buffer;
        parts.push(`${name}=#${Buffer.isBuffer(bytes) ? bytes.toString('hex') : ''}`);
      }
    }
    rdns.push(parts.join('+'));
  }
  return rdns.join(',');
}

const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** Maps whatever ldapjs or Node threw to an {@link LdapTransportError}. */
function transportError(error: unknown, fallback: 'network' | 'tls'): LdapTransportError {
  if (error instanceof LdapTransportError) return error;
  const record = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
  };
  const message =
    typeof record.message === 'string' && record.message !== '' ? record.message : String(error);
  const name = typeof record.name === 'string' ? record.name : '';
  // ldapjs reports a lost connection as a ConnectionError carrying result code 80 (other).
  if (name === 'ConnectionError') return new LdapTransportError('closed', message, { cause: error });
  if (typeof record.code === 'number') {
    // An LDAP result (ldapjs's LDAPError subclasses carry the result code as `code`).
    return new LdapTransportError('result', message, { resultCode: record.code, cause: error });
  }
  const code = typeof record.code === 'string' ? record.code : undefined;
  if (code === 'ERR_STREAM_DESTROYED' || /closed|destroyed/i.test(message)) {
    return new LdapTransportError('closed', message, {
      ...(code === undefined ? {} : { code }),
      cause: error,
    });
  }
  const tls = (code !== undefined && TLS_CODE.test(code)) || /certificate|SSL|TLS/i.test(message);
  return new LdapTransportError(tls ? 'tls' : fallback, message, {
    ...(code === undefined ? {} : { code }),
    cause: error,
  });
}
