/**
 * Writes text to a stream through the {@link Redactor}: every line the command line prints passes
 * here, so that no secret value from the configuration can reach a terminal or a log.
 *
 * @module
 */
import type { CliStream } from '../io';
import type { Redactor } from './redactor';

/**
 * A stream that blanks out secrets.
 *
 * @example
 * ```ts
 * const out = new Printer(io.stdout, redactor);
 * out.write('done\n');
 * ```
 */
export class Printer {
  readonly stream: CliStream;
  readonly #redactor: Redactor;

  constructor(stream: CliStream, redactor: Redactor) {
    this.stream = stream;
    this.#redactor = redactor;
  }

  /** Writes `text` with secrets blanked out. */
  write(text: string): void {
    this.stream.write(this.#redactor.text(text));
  }

  /** Writes `value` as JSON (two-space indent) and a newline. */
  json(value: unknown, indent = 2): void {
    this.write(`${JSON.stringify(value, null, indent)}\n`);
  }
}
