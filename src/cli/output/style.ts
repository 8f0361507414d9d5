/**
 * Terminal styling: colours and symbols on a terminal (unless `NO_COLOR` is set), plain text
 * elsewhere, so that logs and pipes stay clean.
 *
 * @module
 */

/** Colour and symbol helpers; identity functions when colour is off. */
export interface Style {
  readonly color: boolean;
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  /** `✓`, green when coloured. */
  readonly ok: string;
  /** `✗`, red when coloured. */
  readonly fail: string;
  /** `!`, yellow when coloured. */
  readonly warn: string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

/**
 * The style for a stream: coloured on a terminal when `NO_COLOR` is not set (https://no-color.org),
 * or when `FORCE_COLOR` is set to something other than `0`.
 */
export function styleFor(
  stream: { readonly isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): Style {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const color = forced || (stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === ''));
  const plain = (text: string) => text;
  return {
    color,
    bold: color ? wrap(1, 22) : plain,
    dim: color ? wrap(2, 22) : plain,
    green: color ? wrap(32, 39) : plain,
    red: color ? wrap(31, 39) : plain,
    yellow: color ? wrap(33, 39) : plain,
    cyan: color ? wrap(36, 39) : plain,
    ok: color ? wrap(32, 39)('✓') : '✓',
    fail: color ? wrap(31, 39)('✗') : '✗',
    warn: color ? wrap(33, 39)('!') : '!',
  };
}

/** The length of `text` as shown (escape sequences do not count). */
export function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences is the point
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}
