/**
 * The benchmarks run from source with vite-node, or bundled by tsup into `bench/.build/*.mjs` and
 * run with plain `node` (what `run-all` and `profile` do): no transform at run time, and a process
 * baseline of Node's own ~40 MB instead of vite-node's ~140 MB in the memory figures.
 *
 * Child processes (the SCIM server, the scale worker) are started the same way as their parent.
 */
import { repoPath } from './paths';

/** Entry points a run may need, by bundle name. */
export const BENCH_ENTRIES: Readonly<Record<string, string>> = {
  'initial-sync': 'bench/initial-sync.ts',
  ceiling: 'bench/ceiling.ts',
  'no-change': 'bench/no-change.ts',
  incremental: 'bench/incremental.ts',
  'ldap-read': 'bench/ldap-read.ts',
  'rate-limit': 'bench/rate-limit.ts',
  scale: 'bench/scale.ts',
  'server-child': 'bench/lib/server-child.ts',
  'scale-worker': 'bench/lib/scale-worker.ts',
};

/** True when this code runs from a bundle in `bench/.build/`. */
export function runningBundled(): boolean {
  return import.meta.url.includes('/bench/.build/');
}

/**
 * The command that runs child entry `name` the way this process runs: `node bench/.build/<name>.mjs`
 * when bundled, else `node vite-node.mjs <its .ts file>`. Returns the arguments after `node`.
 */
export function childScript(name: 'server-child' | 'scale-worker'): string[] {
  if (runningBundled()) return [repoPath('bench', '.build', `${name}.mjs`)];
  return [repoPath('node_modules/vite-node/vite-node.mjs'), repoPath(BENCH_ENTRIES[name] as string)];
}
