/**
 * What every command gets: the world it runs in, printers that blank out secrets, styles for
 * each stream, and the replacements tests give.
 *
 * @module
 */
import type { CliIo } from '../io';
import { Printer } from '../output/printer';
import { Redactor } from '../output/redactor';
import { type Style, styleFor } from '../output/style';
import type { RuntimeOverrides } from '../runtime';

/** The context a command runs in. */
export interface CommandContext {
  readonly io: CliIo;
  /** Secrets of the loaded configuration are added here as soon as it is read. */
  readonly redactor: Redactor;
  readonly out: Printer;
  readonly err: Printer;
  readonly outStyle: Style;
  readonly errStyle: Style;
  /** @unit milliseconds since the Unix epoch */
  readonly now: () => number;
  readonly overrides: RuntimeOverrides;
}

/** The context for `io`. */
export function commandContext(io: CliIo, overrides: RuntimeOverrides = {}): CommandContext {
  const redactor = new Redactor();
  return {
    io,
    redactor,
    out: new Printer(io.stdout, redactor),
    err: new Printer(io.stderr, redactor),
    outStyle: styleFor(io.stdout, io.env),
    errStyle: styleFor(io.stderr, io.env),
    now: io.now ?? Date.now,
    overrides,
  };
}
