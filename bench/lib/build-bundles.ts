/**
 * Building the benchmark bundles (see `bundle.ts`); kept apart so that a benchmark process does not
 * load tsup.
 */
import { build } from 'tsup';
import { BENCH_ENTRIES } from './bundle';
import { repoPath } from './paths';

/** Bundles `names` (keys of {@link BENCH_ENTRIES}) into `bench/.build/<name>.mjs`, with source maps. */
export async function buildBenchBundles(names: readonly string[]): Promise<void> {
  const entry: Record<string, string> = {};
  for (const name of names) {
    const file = BENCH_ENTRIES[name];
    if (file === undefined) throw new TypeError(`no benchmark entry named ${name}`);
    entry[name] = repoPath(file);
  }
  await build({
    config: false,
    entry,
    outDir: repoPath('bench', '.build'),
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    splitting: false,
    dts: false,
    clean: false,
    silent: true,
    outExtension: () => ({ js: '.mjs' }),
  });
}
