/**
 * Records every request an engine sends, through the `axios` seam of `ScimClient`: method, path
 * and query, headers, the exact body text, the answer's status and, for a create, the id the
 * server gave. Each request is tagged with the engine phase it was sent in, so that a replay can
 * keep the engine's phase boundaries (users before the groups that name them).
 */
import http from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import type { CyclePhase } from '../../src/engine/events';

/** One request as it went over the wire. */
export interface RecordedRequest {
  /** Order in which the request was started. */
  readonly sequence: number;
  /** The engine phase it was sent in (`read` before the first progress event). */
  readonly phase: CyclePhase;
  readonly method: string;
  /** Path and query below the base URL, e.g. `/Users` or `/Groups/9c1d...`. */
  readonly path: string;
  /** Request headers as sent (names in lower case); there are no credentials in the benchmarks. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body text, exactly as sent. */
  readonly body: string | undefined;
  /** The answer's status. */
  status: number;
  /** The `id` in the answer to a POST (the created resource). */
  createdId: string | undefined;
}

/** A recording axios instance and what it recorded. */
export interface RequestRecorder {
  /** Give this to `new ScimClient({ axios })`. */
  readonly axios: AxiosInstance;
  /** Every request, in start order. */
  readonly requests: RecordedRequest[];
  /** Sets the phase later requests are tagged with (wire it to the engine's `progress` event). */
  setPhase(phase: CyclePhase): void;
  /** Closes the keep-alive sockets. */
  close(): void;
}

/**
 * An axios instance with keep-alive sockets (as the client's own) that records each request.
 *
 * @example
 * ```ts
 * const recorder = createRequestRecorder(baseUrl, 8);
 * const client = new ScimClient({ baseUrl, axios: recorder.axios, concurrency: 8 });
 * engine.on('progress', (event) => recorder.setPhase(event.phase));
 * ```
 */
export function createRequestRecorder(baseUrl: string, maxSockets: number): RequestRecorder {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const instance = axios.create({ httpAgent: agent });
  const requests: RecordedRequest[] = [];
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  let phase: CyclePhase = 'read';
  let sequence = 0;
  const byConfig = new WeakMap<object, RecordedRequest>();

  instance.interceptors.request.use((config) => {
    const url = new URL(String(config.url), baseUrl);
    const headers: Record<string, string> = {};
    const raw = (config.headers?.toJSON?.() ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(raw)) {
      if (typeof value === 'string' || typeof value === 'number') headers[name.toLowerCase()] = String(value);
    }
    const entry: RecordedRequest = {
      sequence: sequence++,
      phase,
      method: String(config.method ?? 'get').toUpperCase(),
      path: `${url.pathname.slice(basePath.length)}${url.search}`,
      headers,
      body: typeof config.data === 'string' ? config.data : undefined,
      status: 0,
      createdId: undefined,
    };
    requests.push(entry);
    byConfig.set(config, entry);
    return config;
  });
  instance.interceptors.response.use((response) => {
    const entry = byConfig.get(response.config);
    if (entry !== undefined) {
      entry.status = response.status;
      if (entry.method === 'POST' && typeof response.data === 'string' && response.status === 201) {
        const id = (JSON.parse(response.data) as { id?: unknown }).id;
        if (typeof id === 'string') entry.createdId = id;
      }
    }
    return response;
  });

  return {
    axios: instance,
    requests,
    setPhase: (next) => {
      phase = next;
    },
    close: () => agent.destroy(),
  };
}

/** Requests counted by `METHOD route` (`POST /Users`, `PATCH /Groups/:id`, `GET /Users`). */
export function countByRoute(requests: readonly RecordedRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests) {
    const route = request.path
      .replace(/\?.*$/, '')
      .replace(/^\/(Users|Groups|Schemas|ResourceTypes)\/[^/]+$/, '/$1/:id');
    const key = `${request.method} ${route}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
