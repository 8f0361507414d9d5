/**
 * Damaged copies of a state file and its journal, as a crash (or the disk under it) can leave
 * them, and the checks the crash tests make on what the store does with them.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProvisioningState } from '../../../../src/engine/state/types';

/** The bytes of the state files: the snapshot and, when there is one, the journal. */
export interface StateFiles {
  readonly snapshot: Buffer | undefined;
  readonly journal: Buffer | undefined;
  /** Other files left next to them (`state.json.tmp`, ...), by name. */
  readonly extra?: Readonly<Record<string, Buffer>>;
}

/** The file name the damaged copies use for the snapshot. */
export const STATE_FILE_NAME = 'state.json';

/** Writes `files` into a new folder `directory` and returns the snapshot's path. */
export async function writeStateFiles(directory: string, files: StateFiles): Promise<string> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, STATE_FILE_NAME);
  if (files.snapshot !== undefined) await writeFile(path, files.snapshot);
  if (files.journal !== undefined) await writeFile(`${path}.journal`, files.journal);
  for (const [name, bytes] of Object.entries(files.extra ?? {}))
    await writeFile(join(directory, name), bytes);
  return path;
}

/** Every file in `directory` with its bytes, to check that nothing was written. */
export async function folderContent(directory: string): Promise<Record<string, string>> {
  const content: Record<string, string> = {};
  for (const name of (await readdir(directory)).sort()) {
    content[name] = (await readFile(join(directory, name))).toString('base64');
  }
  return content;
}

/** `bytes` with the byte at `position` XORed with `mask` (1 to 255). */
export function flipByte(bytes: Buffer, position: number, mask: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[position] = (copy[position] as number) ^ mask;
  return copy;
}

/** The state as plain sorted data, so that two states compare with `toEqual`. */
export function canonicalState(state: ProvisioningState | undefined): unknown {
  if (state === undefined) return undefined;
  const sorted = <T>(map: ReadonlyMap<string, T>) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    target: state.target,
    watermark: state.watermark,
    users: sorted(state.users),
    groups: sorted(state.groups),
    pendingUsers: sorted(state.pending.users),
    pendingGroups: sorted(state.pending.groups),
  };
}

/** The offsets just after each newline of `bytes` (where complete lines end). */
export function lineEnds(bytes: Buffer): number[] {
  const ends: number[] = [];
  for (let index = 0; index < bytes.length; index++) if (bytes[index] === 0x0a) ends.push(index + 1);
  return ends;
}
