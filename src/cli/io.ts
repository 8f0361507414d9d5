/**
 * What the command line reads and writes, passed in rather than taken from `process`, so that
 * tests run it in-process with captured output, their own environment and their own signals.
 *
 * @module
 */

/** A text stream the command line writes to. */
export interface CliStream {
  write(text: string): void;
  /** True for a terminal: progress is drawn as a bar, colours are used. @default false */
  readonly isTTY?: boolean;
  /** The terminal's width in characters. @default 100 */
  readonly columns?: number;
}

/** The termination signals `watch` stops on. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The world the command line runs in. */
export interface CliIo {
  /** Results: summaries, tables, JSON. */
  readonly stdout: CliStream;
  /** Progress, warnings and errors. */
  readonly stderr: CliStream;
  /** Environment variables (secrets named in the configuration, `NO_COLOR`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The folder relative paths on the command line are resolved against. */
  readonly cwd: string;
  /**
   * Calls `listener` on SIGINT or SIGTERM until the returned function is called.
   * @default signals are not listened to
   */
  readonly onSignal?: (listener: (signal: StopSignal) => void) => () => void;
  /**
   * The clock, for progress rates and times.
   * @default Date.now
   * @unit milliseconds since the Unix epoch
   */
  readonly now?: () => number;
}

/** The {@link CliIo} of this process: its standard streams, environment, folder and signals. */
export function processIo(): CliIo {
  const stream = (target: NodeJS.WriteStream): CliStream => ({
    write: (text) => {
      target.write(text);
    },
    get isTTY() {
      return target.isTTY === true;
    },
    get columns() {
      return target.columns;
    },
  });
  return {
    stdout: stream(process.stdout),
    stderr: stream(process.stderr),
    env: process.env,
    cwd: process.cwd(),
    onSignal: (listener) => {
      const onInt = () => listener('SIGINT');
      const onTerm = () => listener('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
  };
}
