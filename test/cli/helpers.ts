/**
 * Shared set-up of the command line tests: captured streams, the demo company's LDIF (and the
 * counts the tests derive from it), configuration files in a scratch folder.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLdif } from '../../src/cli/demo/ldif';
import type { CliIo, StopSignal } from '../../src/cli/io';

/** The repository's root folder. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The demo company's LDIF, as shipped. */
export const DEMO_LDIF_FILE = path.join(REPO_ROOT, 'examples', 'demo-company.ldif');

/** The demo company's suffix. */
export const DEMO_SUFFIX = 'dc=bluefin,dc=example';

/** A {@link CliIo} whose output is kept in memory. */
export interface CapturedIo extends CliIo {
  stdoutText(): string;
  stderrText(): string;
  /** Everything written to both streams. */
  allText(): string;
  /** Sends a signal to the listeners `watch` registered. */
  signal(signal: StopSignal): void;
}

/** Captured streams, the given environment, and signals the test sends. */
export function captureIo(
  options: { env?: Record<string, string>; cwd?: string; tty?: boolean } = {},
): CapturedIo {
  let stdout = '';
  let stderr = '';
  const listeners = new Set<(signal: StopSignal) => void>();
  return {
    stdout: {
      write: (text) => {
        stdout += text;
      },
      isTTY: options.tty ?? false,
      columns: 100,
    },
    stderr: {
      write: (text) => {
        stderr += text;
      },
      isTTY: options.tty ?? false,
      columns: 100,
    },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    onSignal: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stdoutText: () => stdout,
    stderrText: () => stderr,
    allText: () => stdout + stderr,
    signal: (signal) => {
      for (const listener of listeners) listener(signal);
    },
  };
}

/** What the demo LDIF holds, counted from the file (so that no test hard-codes it). */
export interface DemoCounts {
  readonly people: number;
  readonly disabled: number;
  readonly groups: number;
  /** Memberships of groups in groups and of people in groups, locked people left out (they are not provisioned). */
  readonly memberships: number;
}

/** Counts the demo LDIF's people, locked accounts, groups and memberships. */
export function demoCounts(): DemoCounts {
  const records = parseLdif(readFileSync(DEMO_LDIF_FILE, 'utf8'));
  const has = (record: (typeof records)[number], objectClass: string) =>
    (record.attributes.get('objectClass') ?? []).includes(objectClass);
  const people = records.filter((record) => has(record, 'inetOrgPerson'));
  const groups = records.filter((record) => has(record, 'groupOfNames'));
  const locked = people.filter((record) => record.attributes.has('pwdAccountLockedTime'));
  const lockedDns = new Set(locked.map((record) => record.dn.toLowerCase()));
  return {
    people: people.length,
    disabled: locked.length,
    groups: groups.length,
    memberships: groups.reduce(
      (sum, record) =>
        sum + (record.attributes.get('member') ?? []).filter((dn) => !lockedDns.has(dn.toLowerCase())).length,
      0,
    ),
  };
}

/** The demo LDIF without its first entry (the suffix), for `startSlapd`, which creates the suffix itself. */
export function demoLdifForSlapd(): string {
  const text = readFileSync(DEMO_LDIF_FILE, 'utf8');
  const records = text.split(/\n\n+/).filter((record) => record.trim() !== '' && !/^#/.test(record.trim()));
  return `${records.filter((record) => !record.startsWith(`dn: ${DEMO_SUFFIX}\n`)).join('\n\n')}\n`;
}

/** A scratch folder, removed by the returned function. */
export async function scratchFolder(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `aquera-cli-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `config` as JSON to `dir/name` and returns the path. */
export async function writeConfig(dir: string, name: string, config: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
