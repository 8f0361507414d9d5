/**
 * `client.testConnection()`: a clear yes or no for a configured service, with what worked and
 * what failed, step by step: name resolution, TCP connection, TLS, authentication, a read of
 * `/Users`, discovery.
 */
import { promises as dns } from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import { redactString } from '../internal/redact';
import { parseListResponse, parseUser } from '../scim/models/index';
import type { ClientContext } from './context';
import { isScimHttpError } from './errors/ScimHttpError';

/** The steps of a connection test, in order. */
export type ConnectionCheckName = 'dns' | 'connect' | 'tls' | 'auth' | 'read' | 'discovery';

/** The outcome of one step. */
export interface ConnectionCheck {
  readonly name: ConnectionCheckName;
  /** True when the step worked (or did not apply, see `skipped`). */
  readonly ok: boolean;
  /** True when the step was not run: it does not apply (TLS over `http://`), or an earlier step failed. */
  readonly skipped?: boolean;
  /** What was found, or what failed, in words (never a credential). */
  readonly detail: string;
  /** @unit milliseconds */
  readonly durationMs: number;
}

/** The result of `client.testConnection()`. */
export interface ConnectionReport {
  /** True when every step worked. */
  readonly ok: boolean;
  /** The base URL tested. */
  readonly baseUrl: string;
  /** Each step, in order. */
  readonly checks: readonly ConnectionCheck[];
}

/** Options of `testConnection()`. */
export interface TestConnectionOptions {
  /**
   * The longest each step may take.
   * @default the client's `timeout`, at most 10000
   * @unit milliseconds
   */
  readonly timeout?: number;
  /** Aborts the test. */
  readonly signal?: AbortSignal;
}

/**
 * Runs the connection test. Every request is sent once (no retries), so that the answer is quick.
 * Steps after a failed DNS, connect or TLS step are reported as skipped.
 */
export async function testConnection(
  context: ClientContext,
  options: TestConnectionOptions = {},
): Promise<ConnectionReport> {
  const { options: clientOptions } = context;
  const timeout = options.timeout ?? Math.min(clientOptions.timeout, 10_000);
  const url = new URL(clientOptions.baseUrl);
  const https = url.protocol === 'https:';
  const port = Number(url.port === '' ? (https ? 443 : 80) : url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const checks: ConnectionCheck[] = [];
  const secrets = context.executor.secrets;
  const run = async (name: ConnectionCheckName, step: () => Promise<string>): Promise<boolean> => {
    const started = Date.now();
    try {
      const detail = await step();
      checks.push({ name, ok: true, detail, durationMs: Date.now() - started });
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      checks.push({
        name,
        ok: false,
        detail: redactString(message, secrets),
        durationMs: Date.now() - started,
      });
      return false;
    }
  };
  const skip = (name: ConnectionCheckName, detail: string) =>
    checks.push({ name, ok: true, skipped: true, detail, durationMs: 0 });
  const skipRest = (from: ConnectionCheckName[], why: string) => {
    for (const name of from)
      checks.push({ name, ok: false, skipped: true, detail: `not run: ${why}`, durationMs: 0 });
  };

  let address = host;
  const dnsOk = await run('dns', async () => {
    if (net.isIP(host) !== 0) return `${host} is an IP address`;
    const found = await withTimeout(dns.lookup(host), timeout, `resolving ${host}`);
    address = found.address;
    return `${host} resolves to ${found.address}`;
  });
  if (!dnsOk) {
    skipRest(['connect', 'tls', 'auth', 'read', 'discovery'], 'the host name did not resolve');
    return report(clientOptions.baseUrl, checks);
  }
  const connectOk = await run('connect', () => tcpConnect(address, port, timeout));
  if (!connectOk) {
    skipRest(['tls', 'auth', 'read', 'discovery'], `no connection to port ${port}`);
    return report(clientOptions.baseUrl, checks);
  }
  if (!https) {
    skip('tls', 'plain http://: no TLS');
  } else if (clientOptions.axios !== undefined) {
    skip('tls', 'checked by the given axios instance (its agent holds the TLS settings)');
  } else {
    const tlsOk = await run('tls', () =>
      tlsHandshake(address, port, host, timeout, clientOptions.ca, clientOptions.rejectUnauthorized),
    );
    if (!tlsOk) {
      skipRest(['auth', 'read', 'discovery'], 'the TLS handshake failed');
      return report(clientOptions.baseUrl, checks);
    }
  }

  let readFailure: string | undefined;
  let readDetail = '';
  const authOk = await run('auth', async () => {
    try {
      const result = await context.executor.execute({
        method: 'GET',
        path: '/Users',
        query: { startIndex: 1, count: 1 },
        retry: false,
        timeout,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      try {
        const list = parseListResponse(result.data, parseUser, { ...context.parseOptions, requireId: true });
        readDetail = `GET /Users?count=1 answered ${result.status} with ${list.Resources.length} user(s)${list.totalResults === undefined ? '' : ` of ${list.totalResults}`}`;
      } catch (error) {
        readFailure = `GET /Users?count=1 answered ${result.status}, but not with a readable ListResponse: ${error instanceof Error ? error.message : String(error)}`;
      }
    } catch (error) {
      if (isScimHttpError(error) && (error.status === 401 || error.status === 403)) {
        throw new Error(
          `the service refused the credentials (HTTP ${error.status}${error.detail === undefined ? '' : `: ${error.detail}`})`,
        );
      }
      if (isScimHttpError(error)) {
        readFailure = error.message;
      } else {
        throw error;
      }
    }
    const scheme =
      clientOptions.auth === undefined
        ? 'no credentials configured'
        : `${clientOptions.auth.type} credentials accepted`;
    return readFailure === undefined ? scheme : `${scheme} (not refused)`;
  });
  if (!authOk) {
    skipRest(['read', 'discovery'], 'authentication failed');
    return report(clientOptions.baseUrl, checks);
  }
  await run('read', async () => {
    if (readFailure !== undefined) throw new Error(readFailure);
    return readDetail;
  });
  await run('discovery', async () => {
    const capabilities = await context.discovery.discover(options.signal, { retry: false });
    const yesNo = (value: boolean | undefined) => (value === undefined ? 'not said' : value ? 'yes' : 'no');
    const found =
      capabilities.serviceProviderConfig === undefined
        ? 'no ServiceProviderConfig'
        : `filter ${yesNo(capabilities.filter.supported)}, patch ${yesNo(capabilities.patch.supported)}, etag ${yesNo(capabilities.etag.supported)}`;
    const missing =
      capabilities.unavailable.length === 0
        ? ''
        : `; unavailable: ${capabilities.unavailable.map((entry) => `${entry.endpoint} (${entry.reason})`).join(', ')}`;
    return `${found}${missing}`;
  });
  return report(clientOptions.baseUrl, checks);
}

function report(baseUrl: string, checks: readonly ConnectionCheck[]): ConnectionReport {
  return { ok: checks.every((check) => check.ok), baseUrl, checks };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function tcpConnect(address: string, port: number, timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connecting to ${address}:${port} took longer than ${timeout} ms`));
    }, timeout);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(`connected to ${address}:${port}`);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`cannot connect to ${address}:${port}: ${error.code ?? error.message}`));
    });
  });
}

function tlsHandshake(
  address: string,
  port: number,
  servername: string,
  timeout: number,
  ca: string | Buffer | readonly (string | Buffer)[] | undefined,
  rejectUnauthorized: boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: address,
      port,
      ...(net.isIP(servername) === 0 ? { servername } : {}),
      rejectUnauthorized,
      ...(ca === undefined ? {} : { ca: ca as string | Buffer | (string | Buffer)[] }),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the TLS handshake with ${servername}:${port} took longer than ${timeout} ms`));
    }, timeout);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const protocol = socket.getProtocol() ?? 'TLS';
      const unverified = socket.authorized
        ? ''
        : ` (certificate not verified: ${String(socket.authorizationError)})`;
      socket.destroy();
      resolve(`${protocol} handshake with ${servername} succeeded${unverified}`);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new Error(
          `TLS with ${servername}:${port} failed: ${error.code ?? ''} ${error.message}`.replace(/\s+/g, ' '),
        ),
      );
    });
  });
}
