/**
 * The ceiling: a bare keep-alive HTTP client (`node:http`, no SDK) that sends exactly the requests
 * an engine run recorded, at the same concurrency, against a fresh server. The server gives new
 * ids, so ids the recording saw created are replaced by the new ones in later paths and bodies
 * (a map lookup per id, the least any client must do). Phases are kept: the requests of one phase
 * all finish before the next phase starts, as in the engine.
 */
import http from 'node:http';
import type { RecordedRequest } from './recorder';

/** What a replay did. */
export interface ReplayOutcome {
  /** Requests sent. */
  readonly requests: number;
  /** Answers whose status differs from the recorded one. */
  readonly mismatches: number;
  /** The first few mismatches, for the report. */
  readonly examples: readonly string[];
  /** Wall time. @unit milliseconds */
  readonly wallMs: number;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Replays `recorded` against `baseUrl` with at most `concurrency` requests in flight.
 *
 * @example
 * ```ts
 * const outcome = await replay(recorder.requests, fresh.baseUrl, 8);
 * ```
 */
export async function replay(
  recorded: readonly RecordedRequest[],
  baseUrl: string,
  concurrency: number,
): Promise<ReplayOutcome> {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const ids = new Map<string, string>();
  const rewrite = (text: string) => (ids.size === 0 ? text : text.replace(UUID, (id) => ids.get(id) ?? id));
  const phases: RecordedRequest[][] = [];
  for (const request of [...recorded].sort((a, b) => a.sequence - b.sequence)) {
    const last = phases[phases.length - 1];
    if (last !== undefined && last[0]?.phase === request.phase) last.push(request);
    else phases.push([request]);
  }
  let mismatches = 0;
  const examples: string[] = [];

  const send = (request: RecordedRequest): Promise<void> =>
    new Promise((resolve, reject) => {
      const body = request.body === undefined ? undefined : rewrite(request.body);
      const headers: Record<string, string> = { ...request.headers };
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const outgoing = http.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method: request.method,
          path: `${basePath}${rewrite(request.path)}`,
          headers,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status !== request.status) {
              mismatches += 1;
              if (examples.length < 5)
                examples.push(`${request.method} ${request.path}: ${status} (recorded ${request.status})`);
            }
            if (request.createdId !== undefined && status === 201) {
              const id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown }).id;
              if (typeof id === 'string') ids.set(request.createdId, id);
            }
            resolve();
          });
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const started = process.hrtime.bigint();
  for (const phase of phases) {
    let next = 0;
    const lane = async () => {
      while (next < phase.length) {
        const request = phase[next++] as RecordedRequest;
        await send(request);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, phase.length) }, lane));
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  agent.destroy();
  return { requests: recorded.length, mismatches, examples, wallMs: Math.round(wallMs * 10) / 10 };
}
