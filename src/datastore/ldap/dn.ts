/**
 * Distinguished names (RFC 4514) handled as data: parsed into RDNs, compared in a normalised
 * form, built with every value escaped. Never by string concatenation or substring tests, which
 * break on `cn=Smith\, John` or on differences of case and spacing.
 *
 * @module
 */

/** One attribute type and value of an RDN. The value is bytes (a `#hex` value keeps its BER bytes). */
export interface DnAttribute {
  readonly type: string;
  readonly value: Buffer;
  /** True when the value was given in the `#hex` (BER) form. */
  readonly hex: boolean;
}

/** A relative distinguished name: one or more (multi-valued, `+`) attribute values. */
export type Rdn = readonly DnAttribute[];

/** A parsed DN, most specific RDN first (as written). The empty DN (the root) has no RDNs. */
export type Dn = readonly Rdn[];

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const ATTRIBUTE_TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|(?:oid\.)?\d+(?:\.\d+)*)$/i;

/**
 * Parses a DN in the string form of RFC 4514 (also accepting RFC 2253's `;` separator and
 * RFC 1779's quoted values, which some servers still emit). Throws a `SyntaxError` naming the
 * position of the first problem.
 *
 * @example
 * ```ts
 * parseDn('CN=Smith\\, John,OU=Sales,DC=example,DC=com')[0]  // [{ type: 'CN', value: <Smith, John> }]
 * ```
 */
export function parseDn(text: string): Dn {
  const parser = new DnParser(text);
  return parser.parse();
}

/** True when `text` parses as a DN. */
export function isValidDn(text: string): boolean {
  try {
    parseDn(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Renders a DN in the string form of RFC 4514, escaping what must be escaped: `"+,;<>\`, NUL,
 * a leading space or `#`, a trailing space, and bytes that are not UTF-8.
 */
export function formatDn(dn: Dn): string {
  return dn.map(formatRdn).join(',');
}

function formatRdn(rdn: Rdn): string {
  return rdn.map((attribute) => `${attribute.type}=${formatDnAttributeValue(attribute)}`).join('+');
}

function formatDnAttributeValue(attribute: DnAttribute): string {
  if (attribute.hex) return `#${attribute.value.toString('hex')}`;
  return escapeDnValue(attribute.value);
}

/**
 * Escapes one attribute value for use in a DN string (RFC 4514 section 2.4).
 *
 * @example
 * ```ts
 * `cn=${escapeDnValue('Smith, John')},ou=people,dc=example,dc=com`  // cn=Smith\, John,ou=...
 * ```
 */
export function escapeDnValue(value: string | Uint8Array): string {
  if (typeof value === 'string') return escapeDnText(value);
  const bytes = Buffer.from(value);
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    // Not UTF-8: escape every byte outside printable ASCII, keep the rest.
    let out = '';
    for (const [index, byte] of bytes.entries()) {
      out += escapeChar(String.fromCharCode(byte), byte > 0x7e || byte < 0x20, index, bytes.length);
    }
    return out;
  }
  return escapeDnText(text);
}

/** True when a character anywhere in `text` may need escaping (the ends are checked separately). */
function hasDnSpecial(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f || '"+,;<>\\'.includes(text.charAt(index))) return true;
  }
  return false;
}

function escapeDnText(text: string): string {
  const last = text.length - 1;
  if (!hasDnSpecial(text) && text[0] !== ' ' && text[0] !== '#' && text[last] !== ' ') return text;
  const chars = [...text];
  return chars.map((char, index) => escapeChar(char, false, index, chars.length)).join('');
}

function escapeChar(char: string, forceHex: boolean, index: number, length: number): string {
  const code = char.charCodeAt(0);
  if (forceHex || code === 0) return `\\${code.toString(16).padStart(2, '0')}`;
  if ('"+,;<>\\'.includes(char)) return `\\${char}`;
  if (index === 0 && (char === ' ' || char === '#')) return `\\${char}`;
  if (index === length - 1 && char === ' ') return '\\ ';
  if (code < 0x20 || code === 0x7f) return `\\${code.toString(16).padStart(2, '0')}`;
  return char;
}

/**
 * The canonical form used to compare DNs: attribute types lower-cased (`oid.` prefix dropped),
 * values compared as case-insensitive text with insignificant spaces removed (the matching rules
 * of the naming attributes directories use: cn, ou, dc, uid), multi-valued RDNs sorted. Two DNs
 * naming the same entry have the same normalised form.
 *
 * Throws a `SyntaxError` when `dn` is a string that does not parse.
 */
export function normalizeDn(dn: string | Dn): string {
  const parsed = typeof dn === 'string' ? parseDn(dn) : dn;
  return parsed
    .map((rdn) =>
      rdn
        .map((attribute) => `${normalizeType(attribute.type)}=${normalizeValue(attribute)}`)
        .sort()
        .join('+'),
    )
    .join(',');
}

/** {@link normalizeDn}, or `undefined` when the text is not a DN (for values read from a server). */
export function tryNormalizeDn(text: string): string | undefined {
  try {
    return normalizeDn(text);
  } catch {
    return undefined;
  }
}

function normalizeType(type: string): string {
  const lower = type.toLowerCase();
  return lower.startsWith('oid.') ? lower.slice(4) : lower;
}

function normalizeValue(attribute: DnAttribute): string {
  if (attribute.hex) return `#${attribute.value.toString('hex')}`;
  let text: string;
  try {
    text = strictUtf8.decode(attribute.value);
  } catch {
    return escapeDnValue(attribute.value);
  }
  return escapeDnValue(text.normalize('NFC').toLowerCase().trim().replace(/\s+/g, ' '));
}

/** True when both DNs name the same entry (see {@link normalizeDn}). */
export function dnEquals(left: string | Dn, right: string | Dn): boolean {
  return normalizeDn(left) === normalizeDn(right);
}

/**
 * True when `dn` is `base` or lies below it (what a subtree search of `base` would reach).
 * With `scope: 'one'`, only direct children; with `scope: 'base'`, only `base` itself.
 */
export function isDnWithin(
  dn: string | Dn,
  base: string | Dn,
  scope: 'base' | 'one' | 'sub' = 'sub',
): boolean {
  const entry = typeof dn === 'string' ? parseDn(dn) : dn;
  const root = typeof base === 'string' ? parseDn(base) : base;
  const depth = entry.length - root.length;
  if (depth < 0) return false;
  if (scope === 'base' && depth !== 0) return false;
  if (scope === 'one' && depth !== 1) return false;
  return normalizeDn(entry.slice(depth)) === normalizeDn(root);
}

class DnParser {
  readonly #text: string;
  #position = 0;

  constructor(text: string) {
    this.#text = text;
  }

  parse(): Dn {
    this.#skipSpaces();
    if (this.#position === this.#text.length) return [];
    const rdns: Rdn[] = [];
    for (;;) {
      rdns.push(this.#rdn());
      this.#skipSpaces();
      if (this.#position === this.#text.length) return rdns;
      const separator = this.#text[this.#position];
      if (separator !== ',' && separator !== ';') this.#fail('expected "," between RDNs');
      this.#position += 1;
      this.#skipSpaces();
    }
  }

  #rdn(): Rdn {
    const attributes: DnAttribute[] = [this.#attribute()];
    while (this.#text[this.#position] === '+') {
      this.#position += 1;
      this.#skipSpaces();
      attributes.push(this.#attribute());
    }
    return attributes;
  }

  #attribute(): DnAttribute {
    const start = this.#position;
    while (this.#position < this.#text.length && /[A-Za-z0-9.-]/.test(this.#text[this.#position] ?? '')) {
      this.#position += 1;
    }
    const type = this.#text.slice(start, this.#position);
    if (!ATTRIBUTE_TYPE.test(type)) this.#fail(`invalid attribute type "${type}"`, start);
    this.#skipSpaces();
    if (this.#text[this.#position] !== '=') this.#fail('expected "="');
    this.#position += 1;
    this.#skipSpaces();
    const next = this.#text[this.#position];
    if (next === '#') return { type, ...this.#hexValue() };
    if (next === '"') return { type, value: this.#quotedValue(), hex: false };
    return { type, value: this.#stringValue(), hex: false };
  }

  #hexValue(): { value: Buffer; hex: true } {
    const start = ++this.#position;
    while (/[0-9A-Fa-f]/.test(this.#text[this.#position] ?? '')) this.#position += 1;
    const hex = this.#text.slice(start, this.#position);
    if (hex.length === 0 || hex.length % 2 !== 0)
      this.#fail('a "#" value needs an even number of hex digits', start);
    this.#skipSpaces();
    return { value: Buffer.from(hex, 'hex'), hex: true };
  }

  #quotedValue(): Buffer {
    this.#position += 1;
    const bytes: number[] = [];
    for (;;) {
      const char = this.#text[this.#position];
      if (char === undefined) this.#fail('unterminated quoted value');
      if (char === '"') break;
      if (char === '\\') {
        this.#escape(bytes);
        continue;
      }
      pushUtf8(bytes, this.#readChar());
    }
    this.#position += 1;
    this.#skipSpaces();
    return Buffer.from(bytes);
  }

  #stringValue(): Buffer {
    const bytes: number[] = [];
    /** Length of `bytes` up to the last character that must be kept (escaped or not a space). */
    let significant = 0;
    for (;;) {
      const char = this.#text[this.#position];
      if (char === undefined || char === ',' || char === ';' || char === '+') break;
      if (char === '\\') {
        this.#escape(bytes);
        significant = bytes.length;
        continue;
      }
      if (char === '"' || char === '<' || char === '>' || char === '\0')
        this.#fail(`"${char}" must be escaped`);
      const run = this.#literalRun();
      pushUtf8(bytes, run);
      // Unescaped spaces at the end of the run count only if something significant follows.
      const kept = run.replace(/ +$/, '');
      if (kept !== '') significant = bytes.length - (Buffer.byteLength(run) - Buffer.byteLength(kept));
    }
    // Unescaped trailing spaces are not part of the value (RFC 4514 section 3).
    return Buffer.from(bytes.slice(0, significant));
  }

  /** Reads `\X` (a special character) or `\XX` (a byte) at the current position into `bytes`. */
  #escape(bytes: number[]): void {
    const next = this.#text[this.#position + 1];
    if (next === undefined) this.#fail('"\\" at the end of the DN');
    const hex = this.#text.slice(this.#position + 1, this.#position + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      this.#position += 3;
      return;
    }
    if (!' "#+,;<=>\\'.includes(next)) this.#fail(`"\\${next}" is not a valid escape`);
    bytes.push(next.charCodeAt(0));
    this.#position += 2;
  }

  /** Reads the characters up to the next escape, separator or character that must be escaped. */
  #literalRun(): string {
    const start = this.#position;
    while (this.#position < this.#text.length && !'\\,;+"<>\0'.includes(this.#text[this.#position] ?? '')) {
      this.#position += 1;
    }
    return this.#text.slice(start, this.#position);
  }

  /** Reads one character (a whole surrogate pair when there is one). */
  #readChar(): string {
    const code = this.#text.codePointAt(this.#position) ?? 0;
    const char = String.fromCodePoint(code);
    this.#position += char.length;
    return char;
  }

  #skipSpaces(): void {
    while (this.#text[this.#position] === ' ') this.#position += 1;
  }

  #fail(problem: string, at = this.#position): never {
    throw new SyntaxError(`Invalid DN at position ${at}: ${problem}`);
  }
}

function pushUtf8(bytes: number[], text: string): void {
  for (const byte of Buffer.from(text, 'utf8')) bytes.push(byte);
}
