/**
 * @internal The tokenizer shared by the filter parser and the PATCH path parser.
 *
 * A filter is split into punctuation (`(`, `)`, `[`, `]`), JSON string literals and words. A word
 * is a run of characters other than whitespace, punctuation and `"`; the parser decides whether a
 * word is an attribute path, an operator, a keyword or a number from where it stands.
 */

/** The kinds of token a filter is made of. */
export type TokenKind = '(' | ')' | '[' | ']' | 'string' | 'word' | 'end';

/** One token, with where it is in the source text. */
export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token (for a string, with its quotes and escapes). */
  readonly text: string;
  /** For a `string` token: the decoded value. */
  readonly value?: string;
  /** Offset of the first character, counted from 0. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
}

/** Reports a syntax error at a position; never returns. */
export type SyntaxErrorReporter = (position: number, message: string) => never;

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const PUNCTUATION = new Set(['(', ')', '[', ']']);
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
const HEX4 = /^[0-9A-Fa-f]{4}$/;

/**
 * Splits `source` into tokens, ending with one `end` token.
 * Whitespace (space, tab, CR, LF) separates tokens and is otherwise ignored.
 */
export function tokenize(source: string, fail: SyntaxErrorReporter): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (WHITESPACE.has(ch)) {
      i++;
    } else if (PUNCTUATION.has(ch)) {
      tokens.push({ kind: ch as TokenKind, text: ch, start: i, end: i + 1 });
      i++;
    } else if (ch === '"') {
      const token = readString(source, i, fail);
      tokens.push(token);
      i = token.end;
    } else {
      const start = i;
      while (i < source.length) {
        const c = source[i] as string;
        if (WHITESPACE.has(c) || PUNCTUATION.has(c) || c === '"') break;
        i++;
      }
      tokens.push({ kind: 'word', text: source.slice(start, i), start, end: i });
    }
  }
  tokens.push({ kind: 'end', text: '', start: source.length, end: source.length });
  return tokens;
}

/** Reads a JSON string literal (RFC 8259 section 7) starting at the `"` at `start`. */
function readString(source: string, start: number, fail: SyntaxErrorReporter): Token {
  const parts: string[] = [];
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === '"') {
      return { kind: 'string', text: source.slice(start, i + 1), value: parts.join(''), start, end: i + 1 };
    }
    if (ch === '\\') {
      const escaped = source[i + 1];
      if (escaped === undefined) break;
      const simple = SIMPLE_ESCAPES[escaped];
      if (simple !== undefined) {
        parts.push(simple);
        i += 2;
      } else if (escaped === 'u') {
        const hex = source.slice(i + 2, i + 6);
        if (!HEX4.test(hex)) fail(i, 'a \\u escape needs four hexadecimal digits');
        parts.push(String.fromCharCode(Number.parseInt(hex, 16)));
        i += 6;
      } else {
        fail(
          i,
          `"\\${escaped}" is not a JSON string escape (use \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)`,
        );
      }
    } else if (ch.charCodeAt(0) < 0x20) {
      const code = ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      fail(i, `control character U+${code} must be escaped inside a string (\\u${code})`);
    } else {
      parts.push(ch);
      i++;
    }
  }
  return fail(start, 'the string starting here has no closing quote');
}
