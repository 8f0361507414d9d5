import { LdapAuthenticationError } from '../errors/LdapAuthenticationError';
import { type LdapConnectionAttempt, LdapConnectionError } from '../errors/LdapConnectionError';
import type { LdapDatastoreError } from '../errors/LdapDatastoreError';
import { LdapSearchError } from '../errors/LdapSearchError';
import { LdapTimeoutError } from '../errors/LdapTimeoutError';
import { isLdapTransportError, LdapTransportError } from '../errors/LdapTransportError';
import type { LdapFilter } from './filter/ast';
import { formatLdapFilter } from './filter/format';
import { describeResultCode } from './result-codes';
import type {
  LdapConnection,
  LdapConnector,
  LdapEndpoint,
  LdapRawAttribute,
  LdapRawEntry,
  LdapSearchPage,
  LdapSearchScope,
  LdapTlsSettings,
} from './transport';

/** How a session reaches and authenticates to the directory. */
export interface LdapSessionSettings {
  /** Servers, tried in order on each (re)connect. */
  readonly endpoints: readonly LdapEndpoint[];
  readonly tls: LdapTlsSettings;
  /** Upgrade `ldap://` connections with StartTLS before binding. */
  readonly startTls: boolean;
  /** Empty for an anonymous bind. */
  readonly bindDn: string;
  readonly bindPassword: string;
  /** @unit ms */
  readonly connectTimeout: number;
  /** Limit for each request (each page of a paged search). @unit ms */
  readonly operationTimeout: number;
  /** How many times an interrupted operation is retried on a new connection. */
  readonly reconnectAttempts: number;
  readonly connector: LdapConnector;
}

/** A search as the session runs it: paged, every page a request, ranged attributes completed. */
export interface LdapSessionSearch {
  readonly base: string;
  readonly scope: LdapSearchScope;
  readonly filter: LdapFilter;
  readonly attributes: readonly string[];
  /** Entries per page; 0 for no paging control. */
  readonly pageSize: number;
  /** Names the search in errors, e.g. `search users`. */
  readonly label: string;
  readonly controls?: readonly { readonly oid: string; readonly critical: boolean }[];
}

const RESULT_NO_SUCH_OBJECT = 32;
/** Upper bound of range requests for one attribute (1500 values each on AD: 150 million values). */
const MAX_RANGE_REQUESTS = 100_000;
const RANGE_OPTION = /^(.+);range=(\d+)-(\d+|\*)$/i;

/**
 * One logical connection to a directory: connects on first use (trying each URL in order),
 * upgrades with StartTLS, binds, and when the connection drops or an operation times out,
 * connects and binds again and retries, a bounded number of times. Every request has a time
 * limit, so that nothing waits forever on a server that stopped answering.
 *
 * Every error it throws is an `LdapDatastoreError` naming the URL and the operation, with the
 * bind password removed from any text a server or library produced.
 */
export class LdapSession {
  readonly #settings: LdapSessionSettings;
  #connection: { readonly connection: LdapConnection; readonly endpoint: LdapEndpoint } | undefined;
  #connecting: Promise<{ readonly connection: LdapConnection; readonly endpoint: LdapEndpoint }> | undefined;
  /** The server of the latest connection, to name it in errors after that connection is gone. */
  #lastUrl: string | undefined;

  constructor(settings: LdapSessionSettings) {
    this.#settings = settings;
  }

  /** The URL of the server currently (or last) connected to, if any. */
  get url(): string | undefined {
    return this.#connection?.endpoint.url ?? this.#lastUrl;
  }

  /** Connects and binds now (rather than on the first operation); returns the URL used. */
  async connect(): Promise<string> {
    const { endpoint } = await this.#connected();
    return endpoint.url;
  }

  /**
   * Streams the entries of a search, page by page: the next page is requested when the reader
   * starts on the current one (so the server works while the reader does), and no further, so
   * at most two pages are held in memory. Values returned in ranges
   * (`member;range=0-1499`) are completed before the entry is yielded. When the connection is
   * lost between pages, the search is run again on a new connection and the entries already
   * yielded are skipped; when that is not possible, it throws.
   */
  async *search(search: LdapSessionSearch): AsyncGenerator<LdapRawEntry, void, undefined> {
    for await (const page of this.searchPages(search)) yield* page;
  }

  /**
   * {@link LdapSession.search}, a page at a time: the same entries, handed over as the arrays the
   * server's pages give (one hand-over per page rather than per entry, for readers of many).
   */
  async *searchPages(search: LdapSessionSearch): AsyncGenerator<readonly LdapRawEntry[], void, undefined> {
    const yielded = new Set<string>();
    let retriesLeft = this.#settings.reconnectAttempts;
    for (;;) {
      // The request for the next page, sent while the reader works through the current one.
      let next: Promise<LdapSearchPage> | undefined = quiet(this.#searchPage(search, Buffer.alloc(0)));
      try {
        while (next !== undefined) {
          const page: LdapSearchPage = await next;
          const cookie = page.cookie ?? Buffer.alloc(0);
          next = cookie.length === 0 ? undefined : quiet(this.#searchPage(search, cookie));
          const fresh: LdapRawEntry[] = [];
          for (const raw of page.entries) {
            if (yielded.has(raw.dn)) continue;
            // Most entries have no ranged values: awaited only when one does.
            fresh.push(hasRangedValues(raw) ? await this.#completeRanges(raw, search.label) : raw);
            yielded.add(raw.dn);
          }
          if (fresh.length > 0) yield fresh;
        }
        return;
      } catch (error) {
        next = undefined;
        if (!isRetryable(error) || retriesLeft <= 0) throw this.#wrap(error, search.label, search);
        retriesLeft -= 1;
      } finally {
        // The reader stopped early: let the server release the rest of the result set.
        if (next !== undefined) await this.#abandonPaging(search, next);
      }
    }
  }

  /**
   * Reads one entry with a base search; `undefined` when it does not exist (or does not match
   * `filter`). Ranged values are completed.
   */
  async read(
    dn: string,
    attributes: readonly string[],
    label: string,
    filter: LdapFilter = { type: 'present', attribute: 'objectClass' },
  ): Promise<LdapRawEntry | undefined> {
    let retriesLeft = this.#settings.reconnectAttempts;
    for (;;) {
      try {
        const page = await this.#request(label, (connection) =>
          connection.search({ base: dn, scope: 'base', filter, attributes, timeLimit: this.#timeLimit() }),
        );
        const entry = page.entries[0];
        return entry === undefined ? undefined : await this.#completeRanges(entry, label);
      } catch (error) {
        if (isLdapTransportError(error) && error.resultCode === RESULT_NO_SUCH_OBJECT) return undefined;
        if (!isRetryable(error) || retriesLeft <= 0) throw this.#wrap(error, label, undefined);
        retriesLeft -= 1;
      }
    }
  }

  /** Unbinds and closes the connection, if there is one. */
  async close(): Promise<void> {
    const current = this.#connection ?? (await this.#connecting?.catch(() => undefined));
    this.#connection = undefined;
    this.#connecting = undefined;
    if (current !== undefined) {
      await withTimeout(current.connection.close(), this.#settings.operationTimeout).catch(() => {
        current.connection.destroy();
      });
    }
  }

  async #searchPage(search: LdapSessionSearch, cookie: Buffer): Promise<LdapSearchPage> {
    return this.#request(search.label, (connection) =>
      connection.search({
        base: search.base,
        scope: search.scope,
        filter: search.filter,
        attributes: search.attributes,
        timeLimit: this.#timeLimit(),
        ...(search.pageSize > 0 ? { paged: { size: search.pageSize, cookie } } : {}),
        ...(search.controls === undefined ? {} : { controls: search.controls }),
      }),
    );
  }

  /** Tells the server to release a paged search the reader stopped reading (RFC 2696: size 0). */
  async #abandonPaging(search: LdapSessionSearch, next: Promise<LdapSearchPage>): Promise<void> {
    const cookie = (await next.catch(() => undefined))?.cookie;
    const current = this.#connection;
    if (current === undefined || cookie === undefined || cookie.length === 0) return;
    await withTimeout(
      current.connection.search({
        base: search.base,
        scope: search.scope,
        filter: search.filter,
        attributes: ['1.1'],
        timeLimit: this.#timeLimit(),
        paged: { size: 0, cookie },
      }),
      this.#settings.operationTimeout,
    ).catch(() => undefined);
  }

  /** Fetches the remaining ranges of every attribute the server returned in ranges (AD's MaxValRange). */
  async #completeRanges(entry: LdapRawEntry, label: string): Promise<LdapRawEntry> {
    if (!hasRangedValues(entry)) return entry;
    const attributes: LdapRawAttribute[] = [];
    for (const attribute of entry.attributes) {
      const match = RANGE_OPTION.exec(attribute.type);
      if (match === null) {
        attributes.push(attribute);
        continue;
      }
      const name = match[1] ?? attribute.type;
      const values = [...attribute.values];
      let end = match[3] ?? '*';
      for (let request = 0; end !== '*'; request += 1) {
        if (request >= MAX_RANGE_REQUESTS) {
          throw new LdapTransportError(
            'protocol',
            `${name} of ${entry.dn}: more than ${MAX_RANGE_REQUESTS} ranges`,
          );
        }
        const from = Number(end) + 1;
        const page = await this.#request(
          `${label}: read ${name};range=${from}-* of ${entry.dn}`,
          (connection) =>
            connection.search({
              base: entry.dn,
              scope: 'base',
              filter: { type: 'present', attribute: 'objectClass' },
              attributes: [`${name};range=${from}-*`],
              timeLimit: this.#timeLimit(),
            }),
        );
        const next = page.entries[0]?.attributes
          .map((candidate) => ({ candidate, range: RANGE_OPTION.exec(candidate.type) }))
          .find(({ range }) => range !== null && range[1]?.toLowerCase() === name.toLowerCase());
        if (next === undefined || next.range === null) break;
        const start = Number(next.range[2]);
        const nextEnd = next.range[3] ?? '*';
        if (start !== from || (nextEnd !== '*' && Number(nextEnd) < start)) {
          throw new LdapTransportError(
            'protocol',
            `${name} of ${entry.dn}: asked for range ${from}-*, got ${start}-${nextEnd}`,
          );
        }
        values.push(...next.candidate.values);
        end = nextEnd;
      }
      attributes.push({ type: name, values });
    }
    return { dn: entry.dn, attributes };
  }

  /** Runs one request on the current connection (connecting first when needed) within the operation timeout. */
  async #request<T>(label: string, run: (connection: LdapConnection) => Promise<T>): Promise<T> {
    const { connection } = await this.#connected();
    try {
      return await withTimeout(run(connection), this.#settings.operationTimeout);
    } catch (error) {
      if (error instanceof TimeoutSignal) {
        connection.destroy();
        throw new LdapTimeoutError({
          ...this.#context(label),
          timeoutMs: this.#settings.operationTimeout,
        });
      }
      throw error;
    }
  }

  #connected(): Promise<{ readonly connection: LdapConnection; readonly endpoint: LdapEndpoint }> {
    if (this.#connection !== undefined) return Promise.resolve(this.#connection);
    if (this.#connecting === undefined) {
      this.#connecting = this.#open().finally(() => {
        this.#connecting = undefined;
      });
    }
    return this.#connecting;
  }

  /** Tries each URL in order: connect, StartTLS, bind. */
  async #open(): Promise<{ readonly connection: LdapConnection; readonly endpoint: LdapEndpoint }> {
    const attempts: LdapConnectionAttempt[] = [];
    let tlsFailure = false;
    for (const endpoint of this.#settings.endpoints) {
      let connection: LdapConnection | undefined;
      let phase = 'connect';
      try {
        const opening = this.#settings.connector({
          endpoint,
          tls: this.#settings.tls,
          connectTimeout: this.#settings.connectTimeout,
        });
        connection = await withTimeout(opening, this.#settings.connectTimeout).catch((error: unknown) => {
          // A connection that arrives after the time limit is closed at once.
          if (error instanceof TimeoutSignal) opening.then((late) => late.destroy()).catch(() => undefined);
          throw error;
        });
        if (this.#settings.startTls && !endpoint.secure) {
          phase = 'StartTLS';
          await withTimeout(
            connection.startTls({ ...this.#settings.tls, host: endpoint.host }),
            this.#settings.connectTimeout,
          );
        }
        phase = 'bind';
        if (this.#settings.bindDn !== '' || this.#settings.bindPassword !== '') {
          await withTimeout(
            connection.bind(this.#settings.bindDn, this.#settings.bindPassword),
            this.#settings.operationTimeout,
          );
        }
      } catch (error) {
        connection?.destroy();
        if (phase === 'bind' && isLdapTransportError(error) && error.failure === 'result') {
          throw new LdapAuthenticationError(this.#redact(describeResult(error)), {
            url: endpoint.url,
            operation: this.#bindLabel(),
            ...(error.resultCode === undefined ? {} : { resultCode: error.resultCode }),
            cause: this.#redactError(error),
          });
        }
        const isTls = phase === 'StartTLS' || (isLdapTransportError(error) && error.failure === 'tls');
        tlsFailure ||= isTls;
        const message =
          error instanceof TimeoutSignal
            ? `${phase}: no answer within ${phase === 'bind' ? this.#settings.operationTimeout : this.#settings.connectTimeout} ms`
            : `${phase}: ${this.#redact(errorMessage(error))}`;
        const code = isLdapTransportError(error) ? error.code : undefined;
        attempts.push({ url: endpoint.url, message, ...(code === undefined ? {} : { code }) });
        continue;
      }
      const opened = { connection, endpoint };
      connection.onClose(() => {
        if (this.#connection === opened) this.#connection = undefined;
      });
      this.#connection = opened;
      this.#lastUrl = endpoint.url;
      return opened;
    }
    const last = attempts[attempts.length - 1];
    const single = attempts.length === 1 && last !== undefined;
    throw new LdapConnectionError(
      single
        ? last.message
        : `no server could be reached (${attempts.map((a) => `${a.url}: ${a.message}`).join('; ')})`,
      {
        operation: 'connect',
        ...(single ? { url: last.url } : {}),
        ...(last?.code === undefined ? {} : { code: last.code }),
        attempts,
        tls: tlsFailure,
      },
    );
  }

  /** Turns any failure into the public error for `label`, keeping it as `cause`. */
  #wrap(error: unknown, label: string, search: LdapSessionSearch | undefined): LdapDatastoreError {
    if (isPublicLdapError(error)) return error;
    const context = this.#context(label);
    if (isLdapTransportError(error)) {
      const cause = this.#redactError(error);
      if (error.failure === 'result') {
        const where =
          search === undefined ? '' : ` (base ${search.base}, filter ${formatLdapFilter(search.filter)})`;
        return new LdapSearchError(`${this.#redact(describeResult(error))}${where}`, {
          ...context,
          ...(error.resultCode === undefined ? {} : { resultCode: error.resultCode }),
          cause,
        });
      }
      return new LdapConnectionError(
        `connection lost and not re-established after ${this.#settings.reconnectAttempts} attempt(s): ${this.#redact(error.message)}`,
        {
          ...context,
          ...(error.code === undefined ? {} : { code: error.code }),
          tls: error.failure === 'tls',
          cause,
        },
      );
    }
    return new LdapConnectionError(this.#redact(errorMessage(error)), { ...context, cause: error });
  }

  #context(label: string): { operation: string; url?: string } {
    const url = this.#connection?.endpoint.url ?? this.#lastUrl;
    return url === undefined ? { operation: label } : { operation: label, url };
  }

  #bindLabel(): string {
    return this.#settings.bindDn === '' ? 'anonymous bind' : `bind as ${this.#settings.bindDn}`;
  }

  #timeLimit(): number {
    return Math.max(1, Math.ceil(this.#settings.operationTimeout / 1000));
  }

  /** Removes the bind password from text that came from a server or a library. */
  #redact(text: string): string {
    const secret = this.#settings.bindPassword;
    return secret === '' ? text : text.split(secret).join('[REDACTED]');
  }

  #redactError(error: LdapTransportError): LdapTransportError {
    const message = this.#redact(error.message);
    if (message === error.message) return error;
    return new LdapTransportError(error.failure, message, {
      ...(error.resultCode === undefined ? {} : { resultCode: error.resultCode }),
      ...(error.code === undefined ? {} : { code: error.code }),
    });
  }
}

/** Marks a time limit reached inside {@link withTimeout}. */
class TimeoutSignal extends Error {
  override name = 'TimeoutSignal';
}

/** Marks a promise's rejection as handled for now (it is awaited later, or dropped on purpose). */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutSignal(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** A dropped connection or a timeout is worth a retry on a new connection; an LDAP result is not. */
function isRetryable(error: unknown): boolean {
  if (error instanceof Error && error.name === 'LdapTimeoutError') return true;
  return isLdapTransportError(error) && (error.failure === 'closed' || error.failure === 'network');
}

function isPublicLdapError(error: unknown): error is LdapDatastoreError {
  return (
    error instanceof Error &&
    [
      'LdapConnectionError',
      'LdapAuthenticationError',
      'LdapSearchError',
      'LdapTimeoutError',
      'LdapConfigError',
    ].includes(error.name)
  );
}

function describeResult(error: LdapTransportError): string {
  const code = error.resultCode;
  const name = code === undefined ? 'error' : describeResultCode(code);
  const detail = error.message.trim();
  const suffix = code === undefined ? '' : ` (result ${code})`;
  // ldapjs puts the result's name in the message when the server sent no diagnostic text.
  const bare = (text: string): string => text.toLowerCase().replace(/\s|error$/g, '');
  return detail === '' || bare(detail) === bare(name) ? `${name}${suffix}` : `${name}${suffix}: ${detail}`;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${error.message} (${code})`
      : error.message;
  }
  return String(error);
}

/** Whether an entry holds values returned in ranges (`member;range=0-1499`). */
function hasRangedValues(entry: LdapRawEntry): boolean {
  for (const attribute of entry.attributes) if (RANGE_OPTION.test(attribute.type)) return true;
  return false;
}
