/**
 * @internal The on-disk encoding of the provisioning state: the snapshot document and the journal
 * lines written by `FileStateStore`.
 *
 * Snapshot (one JSON document, one entry per line so that it stays readable and diffable):
 *
 * ```text
 * {"format":"aquera-provisioner/state","version":1,"generation":4,"savedAt":"2025-01-31T09:00:00.000Z","target":{"id":"…"},"watermark":…,
 * "users":[
 * ["<sourceId>","<targetId>","<userName>","<hash>","active",<createdAt>,<updatedAt>],
 * …],
 * "groups":[
 * ["<sourceId>","<targetId>","<displayName>","<hash>",["<member targetId>",…],<createdAt>,<updatedAt>],
 * …],
 * "pendingUsers":[["<sourceId>","<userName>",<startedAt>],…],
 * "pendingGroups":[["<sourceId>","<displayName>",<startedAt>],…],
 * "checksum":"sha256:<hex>"}
 * ```
 *
 * Entries are arrays rather than objects: the names would otherwise be repeated a million times
 * (about 60 bytes per user). Journal: a header line
 * `{"format":"aquera-provisioner/journal","version":1,"generation":4} <checksum>` then one change
 * per line, each a JSON array whose first element is the change type (see {@link encodeChange}),
 * followed by a space and the line's checksum.
 *
 * Checksums: a byte changed in a file (a disk error, an editor, a copy cut short and patched up)
 * mostly leaves valid JSON behind, and a source id or a target id changed by one character is a
 * different object to the engine: a user still in the directory would look departed and be
 * disabled. So the snapshot ends with the SHA-256 of everything before its `checksum` member,
 * and each journal line ends with the FNV-1a hash of its JSON (32 bits: any one changed
 * character changes it). Documents without them, as written before they were added, are read as
 * they are.
 */
import { createHash } from 'node:crypto';
import type { StateChange } from './changes';
import {
  type GroupState,
  type PendingCreate,
  type ProvisioningState,
  STATE_FORMAT,
  STATE_VERSION,
  type UserState,
  type UserStatus,
} from './types';

/** The format marker of a journal file. */
export const JOURNAL_FORMAT = 'aquera-provisioner/journal';

/** Why a document could not be decoded. */
export type DecodeFailureKind = 'corrupt' | 'foreign' | 'unsupportedVersion';

/** A decoding failure; `FileStateStore` turns it into a `StateStoreError` naming the file. */
export class StateDecodeError extends Error {
  override name = 'StateDecodeError';
  readonly kind: DecodeFailureKind;
  constructor(kind: DecodeFailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
  }
}

/** A decoded snapshot. */
export interface DecodedSnapshot {
  readonly state: ProvisioningState;
  readonly generation: number;
}

/** Rows per chunk handed to the writer: big enough to keep write calls few, small enough to stay light. */
const ROWS_PER_CHUNK = 2000;

/**
 * The snapshot document as a sequence of text chunks (so that a million users never become one
 * 150 MB string).
 */
export function* encodeSnapshot(
  state: ProvisioningState,
  generation: number,
  savedAt: Date,
): Generator<string> {
  const hash = createHash('sha256');
  for (const chunk of encodeSnapshotBody(state, generation, savedAt)) {
    hash.update(chunk, 'utf8');
    yield chunk;
  }
  yield `${SNAPSHOT_CHECKSUM_MEMBER}sha256:${hash.digest('hex')}"}\n`;
}

/** What precedes the snapshot's checksum value: the checksum covers everything before it. */
const SNAPSHOT_CHECKSUM_MEMBER = ',\n"checksum":"';

/** The snapshot document up to its checksum member (not included). */
function* encodeSnapshotBody(state: ProvisioningState, generation: number, savedAt: Date): Generator<string> {
  const header: Record<string, unknown> = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    generation,
    savedAt: savedAt.toISOString(),
    target: { id: state.target.id },
  };
  if (state.watermark !== undefined) header.watermark = state.watermark;
  yield `${JSON.stringify(header).slice(0, -1)},\n"users":[`;
  yield* encodeRows(state.users, userRow);
  yield '],\n"groups":[';
  yield* encodeRows(state.groups, groupRow);
  yield '],\n"pendingUsers":[';
  yield* encodeRows(state.pending.users, pendingRow);
  yield '],\n"pendingGroups":[';
  yield* encodeRows(state.pending.groups, pendingRow);
  yield ']';
}

function* encodeRows<T>(
  entries: ReadonlyMap<string, T>,
  row: (sourceId: string, entry: T) => unknown[],
): Generator<string> {
  let chunk = '';
  let count = 0;
  for (const [sourceId, entry] of entries) {
    chunk += (count === 0 ? '\n' : ',\n') + JSON.stringify(row(sourceId, entry));
    count += 1;
    if (count % ROWS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (count > 0) chunk += '\n';
  if (chunk !== '') yield chunk;
}

function userRow(sourceId: string, user: UserState): unknown[] {
  return [sourceId, user.targetId, user.userName, user.hash, user.status, user.createdAt, user.updatedAt];
}

function groupRow(sourceId: string, group: GroupState): unknown[] {
  return [
    sourceId,
    group.targetId,
    group.displayName,
    group.hash,
    group.members,
    group.createdAt,
    group.updatedAt,
  ];
}

function pendingRow(sourceId: string, pending: PendingCreate): unknown[] {
  return [sourceId, pending.matchKey, pending.startedAt];
}

/**
 * Parses and validates a snapshot document.
 *
 * @throws StateDecodeError `corrupt` (not JSON, truncated, wrong shape), `foreign` (no format
 *   marker), `unsupportedVersion`.
 */
export function decodeSnapshot(text: string): DecodedSnapshot {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new StateDecodeError('corrupt', 'is not valid JSON (truncated or damaged)', { cause });
  }
  if (!isRecord(document) || document.format !== STATE_FORMAT) {
    throw new StateDecodeError(
      'foreign',
      `is not a state file of aquera-provisioner (no "format": "${STATE_FORMAT}")`,
    );
  }
  checkVersion(document.version, 'state');
  const generation = document.generation;
  if (!isCount(generation) || generation < 1) throw corrupt('"generation" is not a positive integer');
  const target = document.target;
  if (!isRecord(target) || typeof target.id !== 'string') throw corrupt('"target.id" is not a string');

  const state: ProvisioningState = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    target: { id: target.id },
    users: decodeRows(document.users, 'users', decodeUser),
    groups: decodeRows(document.groups, 'groups', decodeGroup),
    pending: {
      users: decodeRows(document.pendingUsers, 'pendingUsers', decodePending),
      groups: decodeRows(document.pendingGroups, 'pendingGroups', decodePending),
    },
  };
  if (document.watermark !== undefined) state.watermark = document.watermark;
  checkSnapshotChecksum(text, document.checksum);
  return { state, generation };
}

/**
 * Checks the snapshot's checksum; a snapshot without one (written before checksums were added)
 * passes.
 */
function checkSnapshotChecksum(text: string, checksum: unknown): void {
  if (checksum === undefined) return;
  const end = text.lastIndexOf(SNAPSHOT_CHECKSUM_MEMBER);
  const expected =
    end < 0 ? undefined : `sha256:${createHash('sha256').update(text.slice(0, end), 'utf8').digest('hex')}`;
  if (typeof checksum !== 'string' || checksum !== expected) {
    throw corrupt('does not match its checksum (it was changed or damaged after it was written)');
  }
}

function decodeRows<T>(
  rows: unknown,
  field: string,
  decode: (row: unknown[], where: string) => T,
): Map<string, T> {
  if (!Array.isArray(rows)) throw corrupt(`"${field}" is not an array`);
  const map = new Map<string, T>();
  for (let index = 0; index < rows.length; index++) {
    const row: unknown = rows[index];
    const where = `${field}[${index}]`;
    if (!Array.isArray(row) || typeof row[0] !== 'string') throw corrupt(`${where} is not an entry row`);
    if (map.has(row[0])) throw corrupt(`${where} repeats a source id`);
    map.set(row[0], decode(row, where));
  }
  return map;
}

function decodeUser(row: unknown[], where: string): UserState {
  const [, targetId, userName, hash, status, createdAt, updatedAt] = row;
  if (
    row.length !== 7 ||
    typeof targetId !== 'string' ||
    typeof userName !== 'string' ||
    typeof hash !== 'string' ||
    !isUserStatus(status) ||
    !isTime(createdAt) ||
    !isTime(updatedAt)
  ) {
    throw corrupt(`${where} is not [sourceId, targetId, userName, hash, status, createdAt, updatedAt]`);
  }
  return { targetId, userName, hash, status: internStatus(status), createdAt, updatedAt };
}

function decodeGroup(row: unknown[], where: string): GroupState {
  const [, targetId, displayName, hash, members, createdAt, updatedAt] = row;
  if (
    row.length !== 7 ||
    typeof targetId !== 'string' ||
    typeof displayName !== 'string' ||
    typeof hash !== 'string' ||
    !isStringArray(members) ||
    !isTime(createdAt) ||
    !isTime(updatedAt)
  ) {
    throw corrupt(`${where} is not [sourceId, targetId, displayName, hash, members, createdAt, updatedAt]`);
  }
  return { targetId, displayName, hash, members, createdAt, updatedAt };
}

function decodePending(row: unknown[], where: string): PendingCreate {
  const [, matchKey, startedAt] = row;
  if (row.length !== 3 || typeof matchKey !== 'string' || !isTime(startedAt)) {
    throw corrupt(`${where} is not [sourceId, matchKey, startedAt]`);
  }
  return { matchKey, startedAt };
}

/** The journal's first line. */
export function encodeJournalHeader(generation: number): string {
  return withLineChecksum(JSON.stringify({ format: JOURNAL_FORMAT, version: STATE_VERSION, generation }));
}

/**
 * Parses a journal's first line.
 *
 * @returns the journal's generation.
 */
export function decodeJournalHeader(line: string): number {
  let header: unknown;
  try {
    header = JSON.parse(withoutLineChecksum(line, 'has a header line that'));
  } catch (cause) {
    if (cause instanceof StateDecodeError) throw cause;
    throw new StateDecodeError('corrupt', 'has a header line that is not valid JSON', { cause });
  }
  if (!isRecord(header) || header.format !== JOURNAL_FORMAT) {
    throw new StateDecodeError(
      'foreign',
      `is not a journal of aquera-provisioner (no "format": "${JOURNAL_FORMAT}")`,
    );
  }
  checkVersion(header.version, 'journal');
  if (!isCount(header.generation) || header.generation < 1) throw corrupt('header has no valid "generation"');
  return header.generation;
}

/** One change as one journal line (with its newline). */
export function encodeChange(change: StateChange): string {
  return withLineChecksum(JSON.stringify(changeRow(change)));
}

/** `json`, a space, its checksum (8 hex digits), and a newline. */
function withLineChecksum(json: string): string {
  return `${json} ${lineChecksum(json)}\n`;
}

/**
 * The JSON of a journal line, its checksum checked. A line that ends like JSON (`]` or `}`) was
 * written before checksums were added and is returned as it is.
 *
 * @throws StateDecodeError `corrupt` when the checksum is missing or does not match.
 */
function withoutLineChecksum(line: string, what?: string): string {
  if (line.endsWith(']') || line.endsWith('}')) return line;
  const space = line.lastIndexOf(' ');
  const json = line.slice(0, space);
  if (space < 0 || line.slice(space + 1) !== lineChecksum(json)) {
    const mismatch = 'does not match its checksum (it was changed or damaged after it was written)';
    throw corrupt(what === undefined ? mismatch : `${what} ${mismatch}`);
  }
  return json;
}

/** FNV-1a (32 bits) of the UTF-16 code units of `text`, as 8 hex digits. */
function lineChecksum(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

function changeRow(change: StateChange): unknown[] {
  switch (change.type) {
    case 'setUser':
      return [change.type, ...userRow(change.sourceId, change.user)];
    case 'setGroup':
      return [change.type, ...groupRow(change.sourceId, change.group)];
    case 'removeUser':
    case 'removeGroup':
      return [change.type, change.sourceId];
    case 'addGroupMembers':
    case 'removeGroupMembers':
      return [change.type, change.sourceId, change.targetIds, change.at];
    case 'beginCreate':
      return [change.type, change.kind, change.sourceId, change.matchKey, change.at];
    case 'abandonCreate':
      return [change.type, change.kind, change.sourceId];
    case 'setWatermark':
      return change.watermark === undefined ? [change.type] : [change.type, change.watermark];
  }
}

/**
 * Parses one journal line (without its newline).
 *
 * @throws StateDecodeError `corrupt` when the line is not a change this version writes.
 */
export function decodeChange(line: string): StateChange {
  let row: unknown;
  try {
    row = JSON.parse(withoutLineChecksum(line));
  } catch (cause) {
    if (cause instanceof StateDecodeError) throw cause;
    throw new StateDecodeError('corrupt', 'is not valid JSON', { cause });
  }
  if (!Array.isArray(row) || typeof row[0] !== 'string') throw corrupt('is not a change row');
  const [type, ...rest] = row;
  switch (type) {
    case 'setUser':
      if (typeof rest[0] !== 'string') break;
      return { type, sourceId: rest[0], user: decodeUser(rest, 'setUser') };
    case 'setGroup':
      if (typeof rest[0] !== 'string') break;
      return { type, sourceId: rest[0], group: decodeGroup(rest, 'setGroup') };
    case 'removeUser':
    case 'removeGroup':
      if (rest.length !== 1 || typeof rest[0] !== 'string') break;
      return { type, sourceId: rest[0] };
    case 'addGroupMembers':
    case 'removeGroupMembers':
      if (rest.length !== 3 || typeof rest[0] !== 'string' || !isStringArray(rest[1]) || !isTime(rest[2]))
        break;
      return { type, sourceId: rest[0], targetIds: rest[1], at: rest[2] };
    case 'beginCreate':
      if (rest.length !== 4 || !isKind(rest[0]) || typeof rest[1] !== 'string') break;
      if (typeof rest[2] !== 'string' || !isTime(rest[3])) break;
      return { type, kind: rest[0], sourceId: rest[1], matchKey: rest[2], at: rest[3] };
    case 'abandonCreate':
      if (rest.length !== 2 || !isKind(rest[0]) || typeof rest[1] !== 'string') break;
      return { type, kind: rest[0], sourceId: rest[1] };
    case 'setWatermark':
      if (rest.length > 1) break;
      return { type, watermark: rest[0] };
  }
  throw corrupt(`is not a valid "${type}" change`);
}

function checkVersion(version: unknown, what: string): void {
  if (version === STATE_VERSION) return;
  if (typeof version === 'number') {
    throw new StateDecodeError(
      'unsupportedVersion',
      `is a ${what} of layout version ${version}; this release reads version ${STATE_VERSION} (written by a newer release?)`,
    );
  }
  throw corrupt('"version" is not a number');
}

function corrupt(message: string): StateDecodeError {
  return new StateDecodeError('corrupt', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isKind(value: unknown): value is 'user' | 'group' {
  return value === 'user' || value === 'group';
}

function isUserStatus(value: unknown): value is UserStatus {
  return value === 'active' || value === 'disabled';
}

/** The literal, so that a million entries share two strings instead of holding a million copies. */
function internStatus(status: UserStatus): UserStatus {
  return status === 'active' ? 'active' : 'disabled';
}
