/**
 * Where things are: the repository root, found from this file whether the benchmarks run from
 * source (vite-node) or from a bundle (`bench/profile.ts` builds one under `bench/.build/`).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The folder of the aquera-provisioner `package.json` above this module. */
export function repoRoot(): string {
  if (cached !== undefined) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 10; depth++) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
      if (name === 'aquera-provisioner') {
        cached = dir;
        return dir;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error('bench: cannot find the aquera-provisioner repository root above this module');
}

/** A path inside the repository. */
export function repoPath(...segments: string[]): string {
  return path.join(repoRoot(), ...segments);
}
