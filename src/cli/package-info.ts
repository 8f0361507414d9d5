/**
 * Where this package is installed: its `package.json` (for `--version`) and the files it ships
 * beside `dist/` (the demo's LDIF in `examples/`).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'aquera-provisioner';
/** How many folders up from this module the package root may be (src/cli or dist). */
const MAX_LEVELS = 6;

/**
 * The folder holding this package's `package.json`, found by walking up from this module (it works
 * from `src/cli/` in a checkout and from `dist/` once built or installed).
 *
 * @throws Error when no `package.json` of this package is found.
 */
export function packageRoot(): string {
  let folder = path.dirname(thisFile());
  for (let level = 0; level < MAX_LEVELS; level++) {
    const manifest = path.join(folder, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
        if (parsed.name === PACKAGE_NAME) return folder;
      } catch {
        // not ours: keep walking
      }
    }
    const parent = path.dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  throw new Error(`cannot find the ${PACKAGE_NAME} package folder above ${thisFile()}`);
}

/** This module's file, in an ES module build (`import.meta.url`) or a CommonJS one (`__filename`). */
function thisFile(): string {
  return typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
}

/** This package's version, from its `package.json`. */
export function packageVersion(): string {
  const parsed = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return typeof parsed.version === 'string' ? parsed.version : 'unknown';
}
