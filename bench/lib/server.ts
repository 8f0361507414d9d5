/**
 * The SCIM target of the benchmarks: a ScimTestServer on loopback, in a child process (default:
 * its memory and CPU stay out of the engine's figures) or in this process (smoke runs).
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { ScimTestServerRateLimit } from '../../src/testing/rate-limiter';
import { ScimTestServer, type ScimTestServerOptions } from '../../src/testing/ScimTestServer';
import type { ScimTestServerStats } from '../../src/testing/stats';
import { childScript } from './bundle';
import { mb } from './memory';
import type { ServerCommand, ServerReply } from './server-protocol';

/** A running SCIM test server, wherever it runs. */
export interface BenchServer {
  /** The SCIM base URL (`http://127.0.0.1:<port>/scim/v2`). */
  readonly baseUrl: string;
  /** `'child'` or `'inline'`. */
  readonly where: 'child' | 'inline';
  stats(): Promise<ScimTestServerStats>;
  resetStats(): Promise<void>;
  counts(): Promise<{ users: number; groups: number }>;
  /** The server process's RSS (`undefined` inline: it is this process's). @unit MiB */
  rssMb(): Promise<number | undefined>;
  /**
   * CPU time the server process has used since it started, user + system (`undefined` inline).
   * @unit milliseconds
   */
  cpuMs(): Promise<number | undefined>;
  setRateLimit(rateLimit: ScimTestServerRateLimit | undefined): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a ScimTestServer, in a child process unless `inline`.
 *
 * @example
 * ```ts
 * const server = await startBenchServer({ inline: false });
 * try { ... } finally { await server.close(); }
 * ```
 */
export async function startBenchServer(
  options: { readonly inline: boolean; readonly server?: ScimTestServerOptions } = { inline: false },
): Promise<BenchServer> {
  const serverOptions: ScimTestServerOptions = { maxBodyBytes: 64 * 1024 * 1024, ...options.server };
  if (options.inline) return inlineServer(await ScimTestServer.start(serverOptions));
  return childServer(serverOptions);
}

function inlineServer(server: ScimTestServer): BenchServer {
  return {
    baseUrl: server.baseUrl,
    where: 'inline',
    stats: async () => server.stats(),
    resetStats: async () => server.resetStats(),
    counts: async () => server.counts(),
    rssMb: async () => undefined,
    cpuMs: async () => undefined,
    setRateLimit: async (rateLimit) => server.setRateLimit(rateLimit),
    close: () => server.close(),
  };
}

async function childServer(serverOptions: ScimTestServerOptions): Promise<BenchServer> {
  const [script, ...scriptArgs] = childScript('server-child') as [string, ...string[]];
  const child: ChildProcess = fork(script, scriptArgs, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--max-old-space-size=8192'],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let exited: Error | undefined;
  child.on('message', (message: ServerReply) => {
    const waiter = pending.get(message.id);
    if (waiter === undefined) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new Error(`server child: ${message.error}`));
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`the server child exited (code ${code}, signal ${signal})`);
    for (const waiter of pending.values()) waiter.reject(exited);
    pending.clear();
  });
  const call = (command: DistributiveOmit<ServerCommand, 'id'>): Promise<unknown> => {
    if (exited !== undefined) return Promise.reject(exited);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ ...command, id });
    });
  };
  let baseUrl: string;
  try {
    baseUrl = (await call({ command: 'start', options: serverOptions })) as string;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    baseUrl,
    where: 'child',
    stats: async () => (await call({ command: 'stats' })) as ScimTestServerStats,
    resetStats: async () => {
      await call({ command: 'resetStats' });
    },
    counts: async () => (await call({ command: 'counts' })) as { users: number; groups: number },
    rssMb: async () => mb(((await call({ command: 'memory' })) as NodeJS.MemoryUsage).rss),
    cpuMs: async () => {
      const usage = (await call({ command: 'cpu' })) as NodeJS.CpuUsage;
      return Math.round((usage.user + usage.system) / 100) / 10;
    },
    setRateLimit: async (rateLimit) => {
      await call({ command: 'setRateLimit', rateLimit: rateLimit ?? null });
    },
    close: async () => {
      if (exited !== undefined) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await call({ command: 'close' }).catch(() => undefined);
      await gone;
      clearTimeout(timer);
    },
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
