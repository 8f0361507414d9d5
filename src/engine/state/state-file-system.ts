import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, readFile, rename, unlink } from 'node:fs/promises';

/** An open file, as `FileStateStore` uses it. */
export interface StateFileHandle {
  /** Writes all of `data` at the end (append handles) or at the current position. */
  write(data: string): Promise<void>;
  /** `fsync`: returns once the file's data and metadata are on stable storage. */
  sync(): Promise<void>;
  /** Cuts the file to `length` bytes. */
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The file operations `FileStateStore` needs: the seam tests use to simulate a crash between two
 * steps of a write, and hosts can use to put the state somewhere unusual. The default,
 * {@link nodeStateFileSystem}, is `node:fs/promises`.
 *
 * Errors must carry Node's `code` (`ENOENT` for a missing file).
 */
export interface StateFileSystem {
  /** The whole file as UTF-8 text. Rejects with `code: 'ENOENT'` when it does not exist. */
  readText(path: string): Promise<string>;
  /** Creates or truncates `path` for writing, with permission bits `mode` when created. */
  openForWrite(path: string, mode: number): Promise<StateFileHandle>;
  /** Opens `path` for appending, creating it with permission bits `mode` if missing. */
  openForAppend(path: string, mode: number): Promise<StateFileHandle>;
  /** Replaces `to` with `from` atomically. */
  rename(from: string, to: string): Promise<void>;
  /** Deletes `path`; a missing file is not an error. */
  remove(path: string): Promise<void>;
  /** `fsync` of a directory, so that a rename in it survives a power loss. */
  syncDirectory(path: string): Promise<void>;
}

/** {@link StateFileSystem} on `node:fs/promises`. */
export const nodeStateFileSystem: StateFileSystem = {
  readText: (path) => readFile(path, 'utf8'),
  openForWrite: async (path, mode) =>
    wrapHandle(await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, mode)),
  openForAppend: async (path, mode) =>
    wrapHandle(await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, mode)),
  rename: (from, to) => rename(from, to),
  remove: async (path) => {
    try {
      await unlink(path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  },
  syncDirectory: async (path) => {
    // Windows cannot open a directory for fsync; its rename is durable enough for NTFS.
    if (process.platform === 'win32') return;
    const handle = await open(path, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

function wrapHandle(handle: FileHandle): StateFileHandle {
  return {
    write: async (data) => {
      const bytes = Buffer.from(data, 'utf8');
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
        if (bytesWritten <= 0) throw new Error('write made no progress');
        offset += bytesWritten;
      }
    },
    sync: () => handle.sync(),
    truncate: (length) => handle.truncate(length),
    close: () => handle.close(),
  };
}

/** The Node error `code` of `error`, if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
