/**
 * Starting `scale-worker.ts` in a fresh Node process (with `--expose-gc` and a heap limit) and
 * reading its result.
 */
import { spawn } from 'node:child_process';
import { childScript } from './bundle';
import type { ScalePoint } from './no-change-at-scale';
import { repoRoot } from './paths';

/** What precedes the worker's JSON result line on its standard output. */
export const SCALE_RESULT_MARKER = 'SCALE_RESULT ';

/**
 * Measures a no-change cycle at `users`/`groups` in a new process whose V8 heap may grow to
 * `maxOldSpaceMb`.
 *
 * @throws Error when the worker fails (its standard error is included).
 */
export function noChangeInFreshProcess(
  users: number,
  groups: number,
  maxOldSpaceMb: number,
): Promise<ScalePoint> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        `--max-old-space-size=${maxOldSpaceMb}`,
        ...childScript('scale-worker'),
        '--users',
        String(users),
        '--groups',
        String(groups),
      ],
      { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const line = stdout.split('\n').find((text) => text.startsWith(SCALE_RESULT_MARKER));
      if (code !== 0 || line === undefined) {
        reject(
          new Error(`scale worker (${users} users) exited with ${code ?? signal}: ${stderr.slice(-2000)}`),
        );
        return;
      }
      resolve(JSON.parse(line.slice(SCALE_RESULT_MARKER.length)) as ScalePoint);
    });
  });
}
