/**
 * CPU-profiling one stretch of work from inside the process (`node:inspector`), so that a profile
 * shows the measured cycle and not the set-up before it. The `.cpuprofile` it writes reads like
 * one from `node --cpu-prof` (see `cpu-profile.ts`).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T)));
  });
}

/**
 * Runs `work` under the CPU profiler and writes the profile to `file` (when `file` is given;
 * otherwise just runs `work`).
 *
 * @example
 * ```ts
 * await profileWhile('/tmp/cycle.cpuprofile', () => engine.sync());
 * ```
 */
export async function profileWhile<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (file === undefined) return work();
  const session = new Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 500 });
    await post(session, 'Profiler.start');
    try {
      return await work();
    } finally {
      const { profile } = await post<{ profile: unknown }>(session, 'Profiler.stop');
      await writeFile(file, JSON.stringify(profile));
    }
  } finally {
    session.disconnect();
  }
}
