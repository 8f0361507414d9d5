/**
 * A raw `node:http` server on 127.0.0.1 (port 0) in front of a {@link ScimTestServer}: requests are
 * passed through to the real server, except those a test case claims, which get whatever bytes the
 * case writes (invalid JSON, HTML pages, lies about totals, hostile keys, giant bodies). Every
 * request is recorded, so a test can count the writes (DELETE, PUT, PATCH, POST) that reached it.
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { ScimTestServer, type ScimTestServerOptions } from '../../../../src/testing/ScimTestServer';

/** A request as the hostile target saw it. */
export interface SeenRequest {
  readonly method: string;
  /** Path and query below the base path, e.g. `/Users?filter=...`. */
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** True when a case answered it instead of the real server. */
  readonly hijacked: boolean;
}

/** The answer the real server gave, for a case that rewrites it. */
export interface UpstreamAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * Answers one request in place of the real server. Return `false` to let the request through.
 * `upstream()` asks the real server (once) and hands its answer back, for cases that rewrite it.
 */
export type Hijack = (
  request: SeenRequest,
  response: ServerResponse,
  upstream: () => Promise<UpstreamAnswer>,
) => boolean | Promise<boolean>;

/** A running hostile target. */
export interface HostileTarget {
  /** `http://127.0.0.1:<port>/scim/v2`: point the client here. */
  readonly baseUrl: string;
  /** The real server behind it (its store is the truth the tests check). */
  readonly upstream: ScimTestServer;
  /** Every request received, in order. */
  readonly requests: SeenRequest[];
  /** Sets the case's hijack (`undefined`: pass everything through). */
  hijack(next: Hijack | undefined): void;
  /** Requests with this method that reached the real server or a case since start. */
  count(method: string): number;
  close(): Promise<void>;
}

const BASE_PATH = '/scim/v2';

/** Options of {@link startHostileTarget}: the real server's, plus TLS for the front. */
export interface HostileTargetOptions extends ScimTestServerOptions {
  /** Serve `https://` with this key and certificate (PEM). @default plain http */
  readonly tls?: { readonly key: string; readonly cert: string };
}

/** Starts a real ScimTestServer and the hostile server in front of it. */
export async function startHostileTarget(options: HostileTargetOptions = {}): Promise<HostileTarget> {
  const { tls: _tls, ...serverOptions } = options;
  const upstream = await ScimTestServer.start(serverOptions);
  let current: Hijack | undefined;
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();

  const forward = async (
    request: IncomingMessage,
    body: string,
  ): Promise<{
    status: number;
    headers: Record<string, string>;
    body: string;
  }> => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || ['host', 'connection', 'content-length'].includes(name)) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const method = request.method ?? 'GET';
    const answer = await fetch(`${upstream.baseUrl}${(request.url ?? '').slice(BASE_PATH.length)}`, {
      method,
      headers,
      ...(method === 'GET' || method === 'HEAD' || body === '' ? {} : { body }),
    });
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!['content-length', 'connection', 'keep-alive', 'transfer-encoding'].includes(name))
        out[name] = value;
    });
    return { status: answer.status, headers: out, body: await answer.text() };
  };

  const listener: RequestListener = async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = request.url ?? '/';
    const seen = {
      method: request.method ?? 'GET',
      path: url.startsWith(BASE_PATH) ? url.slice(BASE_PATH.length) : url,
      headers: request.headers,
      body,
      hijacked: false,
    };
    let upstreamAnswer: Promise<Awaited<ReturnType<typeof forward>>> | undefined;
    const ask = () => {
      upstreamAnswer ??= forward(request, body);
      return upstreamAnswer;
    };
    try {
      const claimed = current === undefined ? false : await current(seen, response, ask);
      requests.push({ ...seen, hijacked: claimed });
      if (claimed) return;
      const answer = await ask();
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    } catch {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    }
  };
  const server =
    options.tls === undefined
      ? createServer(listener)
      : createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}${BASE_PATH}`,
    upstream,
    requests,
    hijack(next) {
      current = next;
    },
    count: (method) => requests.filter((request) => request.method === method).length,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream.close();
    },
  };
}

/** Writes `body` as it is, with the given status and content type (none when `undefined`). */
export function sendRaw(
  response: ServerResponse,
  status: number,
  body: string | Buffer,
  contentType: string | undefined = 'application/scim+json',
): void {
  response.writeHead(status, {
    ...(contentType === undefined ? {} : { 'content-type': contentType }),
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** A ListResponse body with the given fields (the honest totals unless overridden). */
export function listOf(resources: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources,
    ...extra,
  };
}
