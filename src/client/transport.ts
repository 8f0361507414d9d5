/**
 * The HTTP transports: one attempt of one request, answers read as text, failures that hold no
 * request headers. The default is `node:http` (`http-transport.ts`); axios is used when the
 * caller gives an instance, or when the environment names a proxy for the target (axios honours
 * `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`; Node's own modules do not).
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosRequestConfig, isAxiosError } from 'axios';
import { createHttpTransport } from './http-transport';
import type { ResolvedClientOptions } from './options';
import { proxyConfiguredFor } from './proxy-environment';

/** One attempt to send. */
export interface TransportRequest {
  readonly method: string;
  /** The full URL. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The serialised body, if any. */
  readonly body?: string;
  /** Aborts the attempt (timeout, deadline, or the caller's signal). */
  readonly signal: AbortSignal;
}

/** An answer, whatever its status, with its body as text. */
export interface TransportResponse {
  readonly status: number;
  readonly statusText: string;
  /** Response headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text (`''` when there was none). */
  readonly body: string;
}

/** Why an attempt got no answer. */
export type TransportFailureKind = 'network' | 'aborted' | 'tooLarge';

/**
 * An attempt that got no usable answer. Holds only a message and Node's error code: never the
 * axios error, whose `config` carries the request headers (and so the credentials).
 */
export class TransportFailure extends Error {
  override name = 'TransportFailure';
  readonly kind: TransportFailureKind;
  readonly code: string | undefined;

  constructor(kind: TransportFailureKind, message: string, code?: string) {
    super(message);
    this.kind = kind;
    this.code = code;
  }
}

/** Sends attempts; {@link Transport.close} frees its sockets. */
export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Closes idle keep-alive sockets of the client's own agents (a given axios instance is left alone). */
  close(): void;
}

/**
 * The client's transport: the caller's axios instance when given; otherwise `node:http`, unless
 * the environment configures a proxy for the base URL, in which case an axios instance with
 * keep-alive agents (axios reads the proxy variables).
 */
export function createTransport(options: ResolvedClientOptions): Transport {
  if (options.axios === undefined && !proxyConfiguredFor(options.baseUrl, process.env)) {
    return createHttpTransport(options);
  }
  return createAxiosTransport(options);
}

/**
 * The transport over axios. With no `axios` option it creates an instance with keep-alive agents
 * (at most `concurrency` sockets per host) and the TLS options (`ca`, `rejectUnauthorized`).
 * Redirects are not followed: a `3xx` is reported as it is, so that credentials never follow a
 * redirect to another host.
 */
export function createAxiosTransport(options: ResolvedClientOptions): Transport {
  let instance: AxiosInstance;
  let agents: { http: http.Agent; https: https.Agent } | undefined;
  if (options.axios === undefined) {
    agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: options.concurrency }),
      https: new https.Agent({
        keepAlive: true,
        maxSockets: options.concurrency,
        rejectUnauthorized: options.rejectUnauthorized,
        ...(options.ca === undefined ? {} : { ca: options.ca as string | Buffer | (string | Buffer)[] }),
      }),
    };
    instance = axios.create({ httpAgent: agents.http, httpsAgent: agents.https });
  } else {
    instance = options.axios;
  }

  return {
    async send(request) {
      const config: AxiosRequestConfig = {
        url: request.url,
        method: request.method,
        headers: { ...request.headers },
        signal: request.signal,
        responseType: 'text',
        responseEncoding: 'utf8',
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        maxRedirects: 0,
        maxContentLength: options.maxResponseBytes,
        maxBodyLength: Number.POSITIVE_INFINITY,
        decompress: true,
      };
      if (request.body !== undefined) config.data = request.body;
      try {
        const response = await instance.request<unknown>(config);
        return {
          status: response.status,
          statusText: typeof response.statusText === 'string' ? response.statusText : '',
          headers: plainHeaders(response.headers),
          body: bodyText(response.data),
        };
      } catch (error) {
        throw toTransportFailure(error, request.signal, options.maxResponseBytes);
      }
    },
    close() {
      agents?.http.destroy();
      agents?.https.destroy();
    },
  };
}

function bodyText(data: unknown): string {
  if (data === undefined || data === null) return '';
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  // An axios instance of the caller's with its own transformResponse may give parsed JSON back.
  try {
    return JSON.stringify(data);
  } catch {
    return String(data);
  }
}

function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof headers !== 'object' || headers === null) return out;
  const source =
    typeof (headers as { toJSON?: unknown }).toJSON === 'function'
      ? ((headers as { toJSON: () => unknown }).toJSON() as Record<string, unknown>)
      : (headers as Record<string, unknown>);
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || value === null || typeof value === 'function') continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.map(String).join(', ') : String(value);
  }
  return out;
}

/** Turns whatever axios threw into a {@link TransportFailure}, keeping nothing of its request config. */
function toTransportFailure(error: unknown, signal: AbortSignal, maxBytes: number): TransportFailure {
  if (signal.aborted) return new TransportFailure('aborted', 'the attempt was aborted', 'ERR_CANCELED');
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_CANCELED') return new TransportFailure('aborted', 'the attempt was aborted', code);
  if (/maxContentLength/i.test(message) || code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED') {
    return new TransportFailure('tooLarge', `the response body is larger than ${maxBytes} bytes`, code);
  }
  // Prefer the underlying system error's message (e.g. "socket hang up") and code.
  const cause = isAxiosError(error) ? (error as { cause?: unknown }).cause : undefined;
  const causeMessage = cause instanceof Error ? cause.message : undefined;
  return new TransportFailure('network', causeMessage ?? message, errorCode(cause) ?? code);
}

/** Node's error code (`ECONNRESET`, `ERR_CANCELED`, …) of whatever was thrown, if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
