/**
 * Running the crash child: bundled once per test run (vite-node takes about 1.7 s to start on our
 * machines, 40 crashes would spend a minute starting; the bundle starts in about 0.3 s), then
 * started with node and killed with SIGKILL once it has printed a chosen number of operation
 * marks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import type { DirectoryPhase, DirectoryScale } from './directory';
import type { RemoveAction } from './engine';
import { OPERATION_MARKS } from './marks';

const CHILD_SOURCE = fileURLToPath(new URL('./sync-child.ts', import.meta.url));

/**
 * Bundles the child with its dependencies into `directory` (ESM; `require` provided for the
 * CommonJS dependencies) and returns the file to run.
 */
export async function bundleChild(directory: string): Promise<string> {
  await build({
    entry: { 'sync-child': CHILD_SOURCE },
    outDir: directory,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    noExternal: [/.*/],
    splitting: false,
    sourcemap: false,
    dts: false,
    clean: false,
    silent: true,
    config: false,
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    outExtension: () => ({ js: '.mjs' }),
  });
  return join(directory, 'sync-child.mjs');
}

/** What one child run is asked to do. */
export interface ChildRun {
  readonly bundle: string;
  readonly baseUrl: string;
  readonly statePath: string;
  readonly seed: number;
  readonly scale: DirectoryScale;
  readonly phase: DirectoryPhase;
  readonly removeAction: RemoveAction;
  /**
   * Kill it (SIGKILL) once it has printed this many operation marks; 0: as soon as it is ready.
   * `undefined`: let it finish.
   */
  readonly killAfter: number | undefined;
  /** Give up (kill it and reject) after this long. @unit milliseconds */
  readonly deadlineMs: number;
}

/** How a child run ended. */
export interface ChildOutcome {
  /** True when SIGKILL ended it, false when it finished by itself first. */
  readonly killed: boolean;
  /** The operation marks it printed, in order. */
  readonly marks: string;
  /** Its exit code when it exited by itself. */
  readonly exitCode: number | null;
  /** What it wrote on stderr. */
  readonly stderr: string;
}

/** The children still running, so that a failed test can kill them in `afterEach`. */
export const runningChildren = new Set<ChildProcess>();

/** Starts the child and kills it at `killAfter` operation marks. */
export function runChild(run: ChildRun): Promise<ChildOutcome> {
  const child = spawn(process.execPath, [run.bundle], {
    env: {
      PATH: process.env.PATH ?? '',
      BASE_URL: run.baseUrl,
      STATE_PATH: run.statePath,
      SEED: String(run.seed),
      USERS: String(run.scale.users),
      GROUPS: String(run.scale.groups),
      PHASE: run.phase,
      REMOVE_ACTION: run.removeAction,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runningChildren.add(child);
  let marks = '';
  let ready = false;
  let stderr = '';
  let killed = false;
  const killNow = () => {
    if (!killed && child.exitCode === null && child.signalCode === null) {
      killed = true;
      child.kill('SIGKILL');
    }
  };
  return new Promise<ChildOutcome>((resolve, reject) => {
    const deadline = setTimeout(() => {
      killNow();
      reject(new Error(`the child did not reach ${run.killAfter} operations in time: ${marks} ${stderr}`));
    }, run.deadlineMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const character of chunk.toString()) {
        if (character === 'R') ready = true;
        else if (OPERATION_MARKS.has(character)) marks += character;
      }
      if (run.killAfter !== undefined && ready && marks.length >= run.killAfter) killNow();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', (error) => {
      clearTimeout(deadline);
      runningChildren.delete(child);
      reject(error);
    });
    child.once('exit', (exitCode, signal) => {
      clearTimeout(deadline);
      runningChildren.delete(child);
      resolve({ killed: signal === 'SIGKILL', marks, exitCode, stderr });
    });
  });
}
