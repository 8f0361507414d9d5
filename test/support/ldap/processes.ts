/**
 * Process, port and scratch-folder plumbing shared by the LDAP test fixtures (slapd, Samba).
 *
 * Everything here is bounded: commands have a timeout, polling loops have an attempt limit, and every
 * child process and scratch folder registered with {@link registerCleanup} is removed when the test
 * process exits, even if a test forgot to call `stop()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** What a finished command printed. */
export interface CommandOutput {
  /** Standard output, decoded as UTF-8. */
  stdout: string;
  /** Standard error, decoded as UTF-8. */
  stderr: string;
}

/** Options for {@link runCommand}. */
export interface RunCommandOptions {
  /** Written to the command's standard input, then closed. Iterables are streamed chunk by chunk. */
  input?: string | Uint8Array | Iterable<string>;
  /** Extra environment variables (merged over `process.env`). */
  env?: Record<string, string>;
  /**
   * Kill the command (SIGKILL) when it runs longer than this.
   * @default 60000
   * @unit milliseconds
   */
  timeoutMs?: number;
  /** Strings replaced by `[REDACTED]` in the error message if the command fails (passwords on argv). */
  secrets?: readonly string[];
}

/** Thrown by {@link runCommand} when a command exits non-zero, is killed, or cannot start. */
export class CommandFailedError extends Error {
  override name = 'CommandFailedError';
  /** Exit code, or `undefined` if the process was killed by a signal or did not start. */
  readonly exitCode: number | undefined;
  /** Standard error (secrets redacted), truncated to its last 4 KiB. */
  readonly stderr: string;

  constructor(message: string, exitCode: number | undefined, stderr: string) {
    super(message);
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** Replaces each secret with `[REDACTED]`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length > 0) result = result.split(secret).join('[REDACTED]');
  }
  return result;
}

function tail(text: string, maxLength = 4096): string {
  return text.length > maxLength ? `...${text.slice(-maxLength)}` : text;
}

/**
 * Runs a command to completion (no shell) and resolves with its output; rejects with a
 * {@link CommandFailedError} on a non-zero exit, a signal or the timeout.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandOutput> {
  const secrets = options.secrets ?? [];
  const timeoutMs = options.timeoutMs ?? 60_000;
  const describe = redact([command, ...args].join(' '), secrets);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new CommandFailedError(`${describe}: could not start (${error.message})`, undefined, ''));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const output = {
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      if (code === 0) {
        resolve(output);
        return;
      }
      const errorText = tail(redact(output.stderr || output.stdout, secrets));
      const why = timedOut
        ? `timed out after ${timeoutMs} ms`
        : signal
          ? `killed by ${signal}`
          : `exit ${code}`;
      reject(new CommandFailedError(`${describe}: ${why}\n${errorText}`, code ?? undefined, errorText));
    });
    // A command that exits before reading all its input closes the pipe: that is reported by 'close'.
    child.stdin.on('error', () => {});
    void writeInput(child, options.input);
  });
}

async function writeInput(child: ChildProcess, input: RunCommandOptions['input']): Promise<void> {
  const stdin = child.stdin;
  if (stdin === null) return;
  if (input === undefined) {
    stdin.end();
    return;
  }
  if (typeof input === 'string' || input instanceof Uint8Array) {
    stdin.end(input);
    return;
  }
  for (const chunk of input) {
    if (stdin.destroyed) return;
    if (!stdin.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stdin.off('drain', done);
          stdin.off('close', done);
          resolve();
        };
        stdin.once('drain', done);
        stdin.once('close', done);
      });
    }
  }
  stdin.end();
}

/** True when `name` is an executable found on `PATH`. */
export function commandExists(name: string): boolean {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    if (folder === '') continue;
    try {
      accessSync(path.join(folder, name), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/**
 * Asks the kernel for a free TCP port on 127.0.0.1 (listen on port 0, read it, close). The port can
 * be taken by someone else before it is used: callers retry on "address in use".
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** True when nothing accepts TCP connections on 127.0.0.1:`port` (a connect attempt is refused). */
export function portIsClosed(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (closed: boolean): void => {
      socket.destroy();
      resolve(closed);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(false));
    socket.once('error', () => finish(true));
  });
}

/** Options for {@link waitUntil}. */
export interface WaitOptions {
  /** What is awaited, for the error message. */
  what: string;
  /**
   * How many times `check` is tried at most.
   * @default 100
   */
  attempts?: number;
  /**
   * Pause between attempts.
   * @default 100
   * @unit milliseconds
   */
  intervalMs?: number;
  /** Called before each attempt; a thrown error aborts the wait (for "the process died"). */
  abortIf?: () => void;
}

/**
 * Calls `check` until it resolves `true`, at most `attempts` times; throws when it never does. A
 * `check` that throws counts as `false` (the last error is kept for the message).
 */
export async function waitUntil(check: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const attempts = options.attempts ?? 100;
  const intervalMs = options.intervalMs ?? 100;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    options.abortIf?.();
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`${options.what}: not ready after ${attempts} attempts${reason}`);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Creates a private (mode 0700) scratch folder under the OS temp folder. */
export function makeScratchFolder(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `aquera-${prefix}-`));
}

/** Something to undo when the test process exits. */
export interface Cleanup {
  /** Kills this process group (negative pid) or process, synchronously, with SIGKILL. */
  pid?: number;
  /** Whether `pid` leads its own process group (then the whole group is killed). */
  processGroup?: boolean;
  /** Removed recursively. */
  folder?: string;
}

const pendingCleanups = new Set<Cleanup>();
let exitHookInstalled = false;

function runCleanupSync(cleanup: Cleanup): void {
  if (cleanup.pid !== undefined) {
    try {
      process.kill(cleanup.processGroup === true ? -cleanup.pid : cleanup.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (cleanup.folder !== undefined) rmSync(cleanup.folder, { recursive: true, force: true });
}

/**
 * Remembers something to undo if the test process exits (normally, or on SIGTERM/SIGINT/SIGHUP, as
 * vitest ends its workers) before the fixture's `stop()` ran.
 * Returns a function that forgets it again (call it from `stop()` once it has cleaned up itself).
 */
export function registerCleanup(cleanup: Cleanup): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    const cleanAll = (): void => {
      for (const pending of pendingCleanups) runCleanupSync(pending);
      pendingCleanups.clear();
    };
    process.once('exit', cleanAll);
    // vitest ends its fork workers with SIGTERM, which skips 'exit': clean up, then let the signal
    // do what it would have done (unless someone else handles it too).
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      process.once(signal, () => {
        cleanAll();
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    }
  }
  pendingCleanups.add(cleanup);
  return () => {
    pendingCleanups.delete(cleanup);
  };
}

/** A started long-running child process with its exit observable. */
export interface ManagedProcess {
  /** The node child process handle. */
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** `undefined` while running, else the exit code or signal name. */
  exitStatus(): number | string | undefined;
  /** The last 8 KiB of what it wrote to stdout and stderr. */
  output(): string;
  /**
   * Sends SIGTERM (to the whole group if it has one), waits up to `graceMs` for the exit, then
   * SIGKILL and waits again (bounded). Resolves once the process is gone.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `command` as a long-running child, in its own process group when `processGroup` is set. */
export function startProcess(
  command: string,
  args: readonly string[],
  options: { processGroup?: boolean; env?: Record<string, string> } = {},
): ManagedProcess {
  const processGroup = options.processGroup ?? false;
  const child = spawn(command, args, {
    detached: processGroup,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let status: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', (error) => {
      status = `spawn error: ${error.message}`;
      resolve(status);
    });
    child.once('exit', (code, signal) => {
      status = code ?? signal ?? 'unknown';
      resolve(status);
    });
  });
  const signal = (name: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(processGroup ? -child.pid : child.pid, name);
    } catch {
      // already gone
    }
  };
  return {
    child,
    exited,
    exitStatus: () => status,
    output: () => output,
    async stop(graceMs = 5000) {
      if (status !== undefined) {
        if (processGroup) signal('SIGKILL'); // leftovers in the group, if any
        return;
      }
      signal('SIGTERM');
      const timedOut = Symbol('timeout');
      const first = await Promise.race([exited, sleep(graceMs).then(() => timedOut)]);
      if (first === timedOut) {
        signal('SIGKILL');
        await Promise.race([exited, sleep(graceMs)]);
      } else if (processGroup) {
        signal('SIGKILL');
      }
    },
  };
}

/** Wraps an async action so that only its first call runs it; later calls share that run's promise. */
export function runOnce(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= action();
    return running;
  };
}
