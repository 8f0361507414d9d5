import { dirname, resolve } from 'node:path';
import type { StateChange } from './changes';
import { applyStateChange } from './changes';
import {
  decodeChange,
  decodeJournalHeader,
  decodeSnapshot,
  encodeChange,
  encodeJournalHeader,
  encodeSnapshot,
  StateDecodeError,
} from './codec';
import { isChangeList, type StateStore } from './StateStore';
import { StateStoreError } from './StateStoreError';
import {
  errorCode,
  nodeStateFileSystem,
  type StateFileHandle,
  type StateFileSystem,
} from './state-file-system';
import type { ProvisioningState } from './types';

/** Permission bits of every file the store creates: owner read/write only. */
const FILE_MODE = 0o600;

/** Options of {@link FileStateStore}. */
export interface FileStateStoreOptions {
  /**
   * The file operations to use; tests pass one that fails at a chosen step.
   *
   * @default nodeStateFileSystem (`node:fs/promises`)
   */
  readonly fileSystem?: StateFileSystem;
  /**
   * The clock that stamps `savedAt` in snapshots.
   *
   * @default () => new Date()
   */
  readonly now?: () => Date;
}

interface QueuedRecord {
  readonly text: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Inspection {
  readonly snapshot: { readonly state: ProvisioningState; readonly generation: number } | undefined;
  readonly journal: string | undefined;
}

/**
 * The embedded state store: a JSON snapshot at `path` and an append-only journal at
 * `path + '.journal'`, both created with mode `0600`.
 *
 * - `record()` appends one line per change to the journal and `fsync`s it; calls that arrive
 *   while a write is in flight are written together (one `fsync` for the group), so per-operation
 *   persistence costs a small append, not a rewrite of the snapshot.
 * - `save()` writes the whole state to `path + '.tmp'`, `fsync`s it, renames it over `path`,
 *   `fsync`s the directory, then starts an empty journal the same way. The snapshot carries a
 *   generation number and the journal names the generation it follows, so a journal left over
 *   from before a snapshot is never replayed onto it.
 * - `load()` reads the snapshot, replays the journal, drops a torn last journal line (the
 *   process died mid-append; that write was never acknowledged) and, when it replayed anything,
 *   compacts into a fresh snapshot.
 *
 * A snapshot or journal that is not valid JSON, is truncated, is not of this package (`foreign`)
 * or is of an unknown layout version is refused with a {@link StateStoreError} and left byte for
 * byte as it was: the store never writes over a file it has not read and recognised. One
 * process at a time may use a given path.
 *
 * See `StateStore` for the crash-safety argument.
 *
 * @example
 * ```ts
 * const store = new FileStateStore('./provisioning-state.json');
 * const state = (await store.load()) ?? createProvisioningState({ id: targetFingerprint(baseUrl) });
 * ```
 */
/** The journal size below which a compaction is never due. @unit bytes */
const COMPACTION_MIN_JOURNAL = 64 * 1024;

export class FileStateStore implements StateStore {
  /** The snapshot file. */
  readonly path: string;
  /** The journal file, `path + '.journal'`. */
  readonly journalPath: string;

  private readonly fileSystem: StateFileSystem;
  private readonly now: () => Date;
  private readonly directory: string;
  /** Serialises every file operation, in call order. */
  private chain: Promise<void> = Promise.resolve();
  /** The generation of the snapshot on disk, once loaded or saved by this store. */
  private generation: number | undefined;
  /** True once the files at `path` are known to be ours or absent. */
  private verified = false;
  private journalHandle: StateFileHandle | undefined;
  /** Bytes of the journal known to be complete lines. */
  private journalSize = 0;
  /** Size of the snapshot last written or read (characters, close to bytes for this JSON). */
  private snapshotSize = 0;
  /** Set by a failed write: writes are refused until the next successful load or save. */
  private failure: StateStoreError | undefined;
  /** The records waiting for the next scheduled flush; new records join it until it starts. */
  private openBatch: QueuedRecord[] | undefined;

  /**
   * True when the journal has grown to a quarter of the snapshot (and past 64 KiB): only then does
   * a compaction pay for rewriting the whole snapshot. The engine compacts after a cycle only when
   * this says so, so that a cycle of a few changes costs a few journal lines, not a rewrite of
   * every user (time that would follow the directory rather than the changes).
   */
  compactionDue(): boolean {
    return this.journalSize > Math.max(COMPACTION_MIN_JOURNAL, this.snapshotSize / 4);
  }

  /**
   * @param path - the snapshot file; its directory must exist. The journal and the temporary
   *   files are written next to it.
   */
  constructor(path: string, options: FileStateStoreOptions = {}) {
    this.path = path;
    this.journalPath = `${path}.journal`;
    this.directory = dirname(resolve(path));
    this.fileSystem = options.fileSystem ?? nodeStateFileSystem;
    this.now = options.now ?? (() => new Date());
  }

  load(): Promise<ProvisioningState | undefined> {
    return this.exclusive(async () => {
      await this.closeJournal();
      this.generation = undefined;
      this.verified = false;
      this.failure = undefined;
      const { snapshot, journal } = await this.inspect();
      if (snapshot === undefined) {
        this.verified = true;
        return undefined;
      }
      const { state, generation } = snapshot;
      this.generation = generation;
      this.verified = true;
      if (journal === undefined) {
        // The process died between a snapshot's rename and its journal's: start the journal.
        try {
          await this.startJournal(generation);
        } catch (cause) {
          throw this.writeFailure(cause);
        }
      } else if (this.replayJournal(journal, state, generation)) {
        await this.writeSnapshot(state, generation + 1);
      } else {
        this.journalSize = Buffer.byteLength(journal, 'utf8');
      }
      return state;
    });
  }

  save(state: ProvisioningState): Promise<void> {
    return this.exclusive(async () => {
      if (!this.verified) {
        const { snapshot } = await this.inspect();
        this.generation = snapshot?.generation;
        this.verified = true;
      }
      await this.writeSnapshot(state, (this.generation ?? 0) + 1);
    });
  }

  record(changes: StateChange | readonly StateChange[]): Promise<void> {
    const list = isChangeList(changes) ? changes : [changes];
    if (list.length === 0) return Promise.resolve();
    let text = '';
    try {
      for (const change of list) text += encodeChange(change);
    } catch (error) {
      // A watermark JSON cannot hold (a BigInt, a cycle): nothing is written.
      return Promise.reject(error);
    }
    return new Promise<void>((resolvePromise, rejectPromise) => {
      let batch = this.openBatch;
      if (batch === undefined) {
        const scheduled: QueuedRecord[] = [];
        batch = scheduled;
        this.openBatch = scheduled;
        void this.exclusive(() => this.flush(scheduled), true).catch(() => {
          // Each record of the batch was rejected individually.
        });
      }
      batch.push({ text, resolve: resolvePromise, reject: rejectPromise });
    });
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      await this.closeJournal();
      this.generation = undefined;
      this.verified = false;
    });
  }

  /**
   * Runs `task` after every task queued before it, whatever their outcome. Records made after a
   * task other than a flush is queued go into a new batch, written after that task.
   */
  private exclusive<T>(task: () => Promise<T>, isFlush = false): Promise<T> {
    if (!isFlush) this.openBatch = undefined;
    const run = this.chain.then(task);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Reads and checks both files without changing anything. */
  private async inspect(): Promise<Inspection> {
    const snapshotText = await this.readOptional(this.path);
    const journal = await this.readOptional(this.journalPath);
    if (snapshotText === undefined) {
      if (journal !== undefined) {
        throw new StateStoreError(
          'corrupt',
          `State journal "${this.journalPath}" exists but its snapshot "${this.path}" does not. Both were left untouched: restore the snapshot from a backup, or move the journal aside to start from an empty state.`,
          { path: this.journalPath },
        );
      }
      return { snapshot: undefined, journal: undefined };
    }
    let snapshot: Inspection['snapshot'];
    this.snapshotSize = snapshotText.length;
    try {
      snapshot = decodeSnapshot(snapshotText);
    } catch (error) {
      throw this.refusal(this.path, 'State file', error);
    }
    if (journal !== undefined && journal !== '') {
      try {
        decodeJournalHeader(firstLine(journal));
      } catch (error) {
        throw this.refusal(this.journalPath, 'State journal', error);
      }
    }
    return { snapshot, journal };
  }

  /**
   * Applies the journal's changes to `state` when the journal belongs with its snapshot.
   *
   * @returns true when the files should be compacted (something was replayed, dropped or stale).
   */
  private replayJournal(journal: string, state: ProvisioningState, generation: number): boolean {
    if (journal === '') return true;
    const lines = journal.split('\n');
    const journalGeneration = decodeJournalHeader(lines[0] ?? '');
    if (journalGeneration < generation) return true; // left over from before the last snapshot
    if (journalGeneration > generation) {
      throw new StateStoreError(
        'corrupt',
        `State journal "${this.journalPath}" follows generation ${journalGeneration} but the snapshot "${this.path}" is generation ${generation} (was the snapshot replaced by an older copy?). Both were left untouched.`,
        { path: this.journalPath },
      );
    }
    // After the header, every complete line ends with a newline, so the last element of `body`
    // is what follows the last newline: '' normally, or an append cut short (never acknowledged).
    const body = lines.slice(1);
    const tail = body.pop() ?? '';
    let compact = body.length > 0 || tail !== '';
    const changes: StateChange[] = [];
    for (let index = 0; index < body.length; index++) {
      try {
        changes.push(decodeChange(body[index] ?? ''));
      } catch (error) {
        if (index === body.length - 1 && tail === '') {
          // A damaged last line: the tail of a write cut short by a crash. Never acknowledged.
          compact = true;
          break;
        }
        const reason = error instanceof StateDecodeError ? error.message : 'cannot be read';
        throw new StateStoreError(
          'corrupt',
          `State journal "${this.journalPath}" line ${index + 2} ${reason}, and it is not the last line (so not a torn append). The journal and the snapshot were left untouched.`,
          { path: this.journalPath, cause: error },
        );
      }
    }
    for (const change of changes) applyStateChange(state, change);
    return compact;
  }

  private async flush(batch: QueuedRecord[]): Promise<void> {
    // Records made from now on, while this batch is written, form the next batch.
    if (this.openBatch === batch) this.openBatch = undefined;
    const failWith = (error: StateStoreError): void => {
      for (const item of batch) item.reject(error);
    };
    if (this.failure !== undefined) return failWith(this.failure);
    if (this.generation === undefined) {
      return failWith(
        new StateStoreError(
          'notOpen',
          `State store "${this.path}" is not open: call load() or save() before record().`,
          { path: this.path },
        ),
      );
    }
    let text = '';
    for (const item of batch) text += item.text;
    try {
      this.journalHandle ??= await this.fileSystem.openForAppend(this.journalPath, FILE_MODE);
      await this.journalHandle.write(text);
      await this.journalHandle.sync();
    } catch (cause) {
      const error = new StateStoreError(
        'io',
        `Could not append to the state journal "${this.journalPath}" (${describeIoError(cause)}). The changes were not saved; the store refuses further changes until it is loaded or saved again.`,
        { path: this.journalPath, cause },
      );
      this.failure = error;
      await this.cutJournalBack();
      return failWith(error);
    }
    this.journalSize += Buffer.byteLength(text, 'utf8');
    for (const item of batch) item.resolve();
  }

  /** After a failed append: removes whatever part of it reached the file, so no torn line stays. */
  private async cutJournalBack(): Promise<void> {
    const handle = this.journalHandle;
    this.journalHandle = undefined;
    if (handle === undefined) return;
    try {
      await handle.truncate(this.journalSize);
      await handle.sync();
    } catch {
      // The next load drops a torn last line; a failure here changes nothing more.
    }
    await handle.close().catch(() => undefined);
  }

  /** Writes `state` as snapshot `generation`, then an empty journal for it. */
  private async writeSnapshot(state: ProvisioningState, generation: number): Promise<void> {
    await this.closeJournal();
    try {
      this.snapshotSize = await this.writeAtomically(
        this.path,
        encodeSnapshot(state, generation, this.now()),
      );
      this.generation = generation;
      await this.startJournal(generation);
      this.failure = undefined;
    } catch (cause) {
      throw this.writeFailure(cause);
    }
  }

  /** Marks the store failed (writes refused until the next load or save) and describes `cause`. */
  private writeFailure(cause: unknown): StateStoreError {
    const error =
      cause instanceof StateStoreError
        ? cause
        : new StateStoreError(
            'io',
            `Could not save the state to "${this.path}" (${describeIoError(cause)}). The last saved state is intact; the store refuses further changes until it is loaded or saved again.`,
            { path: this.path, cause },
          );
    this.failure = error;
    return error;
  }

  /** Replaces the journal with an empty one that follows snapshot `generation`. */
  private async startJournal(generation: number): Promise<void> {
    await this.closeJournal();
    const header = encodeJournalHeader(generation);
    await this.writeAtomically(this.journalPath, [header]);
    this.journalSize = Buffer.byteLength(header, 'utf8');
  }

  /** Temporary file, `fsync`, rename over `target`, `fsync` of the directory. */
  private async writeAtomically(target: string, chunks: Iterable<string>): Promise<number> {
    const temporary = `${target}.tmp`;
    let handle: StateFileHandle | undefined;
    let written = 0;
    try {
      handle = await this.fileSystem.openForWrite(temporary, FILE_MODE);
      for (const chunk of chunks) {
        await handle.write(chunk);
        written += chunk.length;
      }
      await handle.sync();
      const opened = handle;
      handle = undefined;
      await opened.close();
      await this.fileSystem.rename(temporary, target);
    } catch (error) {
      if (handle !== undefined) await handle.close().catch(() => undefined);
      await this.fileSystem.remove(temporary).catch(() => undefined);
      throw error;
    }
    await this.fileSystem.syncDirectory(this.directory);
    return written;
  }

  private async closeJournal(): Promise<void> {
    const handle = this.journalHandle;
    this.journalHandle = undefined;
    if (handle !== undefined) await handle.close().catch(() => undefined);
  }

  private async readOptional(path: string): Promise<string | undefined> {
    try {
      return await this.fileSystem.readText(path);
    } catch (cause) {
      if (errorCode(cause) === 'ENOENT') return undefined;
      throw new StateStoreError('io', `Could not read "${path}" (${describeIoError(cause)}).`, {
        path,
        cause,
      });
    }
  }

  private refusal(path: string, what: string, error: unknown): StateStoreError {
    if (!(error instanceof StateDecodeError)) {
      return new StateStoreError('corrupt', `${what} "${path}" cannot be read.`, { path, cause: error });
    }
    const advice =
      error.kind === 'corrupt'
        ? 'It was left untouched: restore it from a backup, or move it aside to start from an empty state (existing target objects are then linked again by userName and displayName).'
        : error.kind === 'foreign'
          ? 'It was left untouched: point the state store at a path of its own.'
          : 'It was left untouched: use the release that wrote it, or move it aside to start from an empty state.';
    return new StateStoreError(error.kind, `${what} "${path}" ${error.message}. ${advice}`, {
      path,
      cause: error,
    });
  }
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

function describeIoError(error: unknown): string {
  const code = errorCode(error);
  if (code !== undefined) return code;
  return error instanceof Error ? error.message : 'unknown error';
}
