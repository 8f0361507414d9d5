/**
 * The default transport: one attempt of one request over Node's own `http`/`https` modules, with
 * keep-alive agents, the TLS settings, compressed answers inflated, and the answer's size bounded.
 * It does what the axios transport does for this client at a fraction of the cost per request
 * (axios merges configs, walks headers and reads the proxy environment on every call).
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type { ResolvedClientOptions } from './options';
import {
  errorCode,
  type Transport,
  TransportFailure,
  type TransportRequest,
  type TransportResponse,
} from './transport';

const ACCEPT_ENCODING = 'gzip, deflate, br';

/**
 * Creates the `node:http` transport: keep-alive agents with at most `concurrency` sockets per
 * host, the TLS options (`ca`, `rejectUnauthorized`), no redirects followed (a `3xx` is an answer
 * like any other, so credentials never follow a redirect to another host), `gzip`, `deflate` and
 * `br` answers inflated, and a body larger than `maxResponseBytes` (after inflating) refused.
 */
export function createHttpTransport(options: ResolvedClientOptions): Transport {
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: options.concurrency }),
    https: new https.Agent({
      keepAlive: true,
      maxSockets: options.concurrency,
      rejectUnauthorized: options.rejectUnauthorized,
      ...(options.ca === undefined ? {} : { ca: options.ca as string | Buffer | (string | Buffer)[] }),
    }),
  };
  const maxBytes = options.maxResponseBytes;

  return {
    send(request) {
      return send(request, agents, maxBytes);
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function send(
  request: TransportRequest,
  agents: { readonly http: http.Agent; readonly https: https.Agent },
  maxBytes: number,
): Promise<TransportResponse> {
  return new Promise<TransportResponse>((resolve, reject) => {
    const { signal } = request;
    if (signal.aborted) {
      reject(aborted());
      return;
    }
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      reject(new TransportFailure('network', 'the request URL is not valid', 'ERR_INVALID_URL'));
      return;
    }
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') {
      reject(
        new TransportFailure(
          'network',
          `the protocol ${url.protocol} is not supported`,
          'ERR_UNSUPPORTED_PROTOCOL',
        ),
      );
      return;
    }
    const headers: Record<string, string> = { ...request.headers };
    if (!hasHeader(headers, 'accept-encoding')) headers['Accept-Encoding'] = ACCEPT_ENCODING;
    if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));

    let settled = false;
    const finish = (outcome: TransportResponse | TransportFailure) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (outcome instanceof TransportFailure) reject(outcome);
      else resolve(outcome);
    };
    const requestOptions: https.RequestOptions = {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers,
      agent: secure ? agents.https : agents.http,
    };
    const outgoing = (secure ? https : http).request(requestOptions, (incoming) => {
      readBody(incoming, maxBytes).then(
        (body) =>
          finish({
            status: incoming.statusCode ?? 0,
            statusText: incoming.statusMessage ?? '',
            headers: plainHeaders(incoming.headers),
            body,
          }),
        (error: unknown) => {
          outgoing.destroy();
          finish(signal.aborted ? aborted() : toFailure(error));
        },
      );
    });
    const onAbort = () => {
      outgoing.destroy();
      finish(aborted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    outgoing.on('error', (error) => finish(signal.aborted ? aborted() : toFailure(error)));
    outgoing.end(request.body);
  });
}

/** Reads a response body to text, inflating it and stopping at `maxBytes` of the inflated body. */
function readBody(incoming: http.IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    // Made only when needed: an Error captures a stack trace, which costs on every answer.
    const tooLarge = () =>
      new TransportFailure('tooLarge', `the response body is larger than ${maxBytes} bytes`);
    const declared = Number(incoming.headers['content-length']);
    const encoding = (incoming.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding === 'identity' && Number.isFinite(declared) && declared > maxBytes) {
      incoming.resume();
      reject(tooLarge());
      return;
    }
    let stream: NodeJS.ReadableStream = incoming;
    if (encoding === 'gzip' || encoding === 'x-gzip') stream = incoming.pipe(zlib.createGunzip());
    else if (encoding === 'deflate') stream = incoming.pipe(zlib.createInflate());
    else if (encoding === 'br') stream = incoming.pipe(zlib.createBrotliDecompress());
    else if (encoding !== 'identity') {
      incoming.resume();
      reject(
        new TransportFailure(
          'network',
          `the response has an unsupported content encoding "${encoding.slice(0, 40)}"`,
          'ERR_CONTENT_ENCODING',
        ),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    stream.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        incoming.destroy();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (done) return;
      done = true;
      resolve(
        chunks.length === 1
          ? (chunks[0] as Buffer).toString('utf8')
          : Buffer.concat(chunks, size).toString('utf8'),
      );
    });
    const fail = (error: unknown) => {
      if (done) return;
      done = true;
      reject(error);
    };
    if (stream === incoming) stream.on('error', fail);
    else {
      incoming.on('error', fail);
      stream.on('error', (error: Error) =>
        fail(
          new TransportFailure(
            'network',
            `the ${encoding} answer could not be inflated: ${error.message}`,
            'ERR_CONTENT_DECODING',
          ),
        ),
      );
    }
    incoming.on('aborted', () =>
      fail(
        new TransportFailure('network', 'the connection closed before the answer was complete', 'ECONNRESET'),
      ),
    );
  });
}

function aborted(): TransportFailure {
  return new TransportFailure('aborted', 'the attempt was aborted', 'ERR_CANCELED');
}

/** Node's error as a failure holding only its message and code (never the request or its headers). */
function toFailure(error: unknown): TransportFailure {
  if (error instanceof TransportFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TransportFailure('network', message, errorCode(error));
}

function hasHeader(headers: Readonly<Record<string, string>>, lowerName: string): boolean {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === lowerName) return true;
  return false;
}

function plainHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
