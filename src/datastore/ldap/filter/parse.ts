import type { LdapExtensibleFilter, LdapFilter } from './ast';

/** Attribute description: a name or an OID, with options (`cn;lang-de`, `member;range=0-1499`). */
const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)(?:;[A-Za-z0-9-]+)*$/;
const OID_OR_NAME = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/;

/**
 * Parses an LDAP filter in the string form of RFC 4515 into a {@link LdapFilter}.
 *
 * `\XX` escapes are decoded into bytes (so `\00`, `\2a` and bytes that are not UTF-8 reach the
 * server exactly); other characters are taken as UTF-8. The outer parentheses may be left out,
 * as many tools allow. Throws a `SyntaxError` naming the position of the first problem.
 *
 * ldapjs 3.0.7's own parser sends `\XX` escapes to the server as written (a filter for `\2a`
 * looks for a backslash), which is why the adapter parses filters itself.
 *
 * @example
 * ```ts
 * parseLdapFilter('(&(objectClass=person)(cn=Smith\\2c John))')
 * ```
 */
export function parseLdapFilter(text: string): LdapFilter {
  const trimmed = text.trim();
  if (trimmed === '') throw new SyntaxError('LDAP filter is empty');
  const source = trimmed.startsWith('(') ? trimmed : `(${trimmed})`;
  const parser = new FilterParser(source);
  const filter = parser.filter();
  parser.expectEnd();
  return filter;
}

class FilterParser {
  #position = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  filter(): LdapFilter {
    this.#expect('(');
    const next = this.#text[this.#position];
    let result: LdapFilter;
    if (next === '&' || next === '|') {
      this.#position += 1;
      const filters: LdapFilter[] = [];
      this.#skipSpaces();
      while (this.#text[this.#position] === '(') {
        filters.push(this.filter());
        this.#skipSpaces();
      }
      result = { type: next === '&' ? 'and' : 'or', filters };
    } else if (next === '!') {
      this.#position += 1;
      this.#skipSpaces();
      result = { type: 'not', filter: this.filter() };
      this.#skipSpaces();
    } else {
      result = this.#item();
    }
    this.#expect(')');
    return result;
  }

  expectEnd(): void {
    if (this.#position !== this.#text.length) this.#fail('unexpected text after the filter');
  }

  #item(): LdapFilter {
    const start = this.#position;
    const end = this.#findItemEnd();
    const item = this.#text.slice(start, end);
    const operator = /[~<>]?=|:=/.exec(item);
    if (operator === null) this.#fail('expected an attribute, an operator and a value', start);
    const left = item.slice(0, operator.index);
    const rawValue = item.slice(operator.index + operator[0].length);
    this.#position = end;

    if (operator[0] === ':=') return this.#extensible(left, rawValue, start);
    if (!ATTRIBUTE.test(left)) this.#fail(`invalid attribute description "${left}"`, start);
    if (operator[0] === '=') {
      if (rawValue === '*') return { type: 'present', attribute: left };
      if (hasUnescapedStar(rawValue)) return this.#substrings(left, rawValue, start);
      return { type: 'equal', attribute: left, value: this.#value(rawValue, start) };
    }
    const type = operator[0] === '>=' ? 'greaterOrEqual' : operator[0] === '<=' ? 'lessOrEqual' : 'approx';
    if (hasUnescapedStar(rawValue)) this.#fail('"*" must be escaped as \\2a in a comparison value', start);
    return { type, attribute: left, value: this.#value(rawValue, start) };
  }

  #extensible(left: string, rawValue: string, start: number): LdapExtensibleFilter {
    const parts = left.split(':');
    const attribute = parts[0] === '' ? undefined : parts[0];
    let dnAttributes = false;
    let matchingRule: string | undefined;
    for (const part of parts.slice(1)) {
      if (part.toLowerCase() === 'dn' && !dnAttributes && matchingRule === undefined) dnAttributes = true;
      else if (matchingRule === undefined && OID_OR_NAME.test(part)) matchingRule = part;
      else this.#fail(`invalid extensible match "${left}:="`, start);
    }
    if (attribute !== undefined && !ATTRIBUTE.test(attribute)) {
      this.#fail(`invalid attribute description "${attribute}"`, start);
    }
    if (attribute === undefined && matchingRule === undefined) {
      this.#fail('an extensible match needs an attribute or a matching rule', start);
    }
    if (hasUnescapedStar(rawValue)) this.#fail('"*" must be escaped as \\2a in a match value', start);
    return {
      type: 'extensible',
      ...(attribute === undefined ? {} : { attribute }),
      ...(matchingRule === undefined ? {} : { matchingRule }),
      dnAttributes,
      value: this.#value(rawValue, start),
    };
  }

  #substrings(attribute: string, rawValue: string, start: number): LdapFilter {
    const pieces = rawValue.split('*');
    const initial = pieces[0] ?? '';
    const final = pieces[pieces.length - 1] ?? '';
    const any = pieces.slice(1, -1);
    if (any.some((piece) => piece === '')) this.#fail('empty substring between two "*"', start);
    return {
      type: 'substrings',
      attribute,
      ...(initial === '' ? {} : { initial: this.#value(initial, start) }),
      any: any.map((piece) => this.#value(piece, start)),
      ...(final === '' ? {} : { final: this.#value(final, start) }),
    };
  }

  /** Decodes an assertion value: `\XX` escapes to bytes, other characters to UTF-8. */
  #value(raw: string, start: number): Buffer {
    const chunks: Buffer[] = [];
    let literal = '';
    for (let index = 0; index < raw.length; index += 1) {
      const char = raw[index];
      if (char === '\\') {
        const hex = raw.slice(index + 1, index + 3);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.#fail('"\\" must be followed by two hex digits', start);
        if (literal !== '') {
          chunks.push(Buffer.from(literal, 'utf8'));
          literal = '';
        }
        chunks.push(Buffer.from([Number.parseInt(hex, 16)]));
        index += 2;
      } else if (char === '\0') {
        this.#fail('NUL must be escaped as \\00', start);
      } else {
        literal += char;
      }
    }
    if (literal !== '') chunks.push(Buffer.from(literal, 'utf8'));
    return Buffer.concat(chunks);
  }

  /** The index of the `)` closing the current item; `(` inside a value must be escaped. */
  #findItemEnd(): number {
    for (let index = this.#position; index < this.#text.length; index += 1) {
      const char = this.#text[index];
      if (char === ')') return index;
      if (char === '(') this.#fail('"(" must be escaped as \\28 in a value', index);
    }
    return this.#fail('missing ")"', this.#text.length);
  }

  #skipSpaces(): void {
    while (this.#text[this.#position] === ' ') this.#position += 1;
  }

  #expect(char: string): void {
    if (this.#text[this.#position] !== char) this.#fail(`expected "${char}"`);
    this.#position += 1;
  }

  #fail(problem: string, at = this.#position): never {
    throw new SyntaxError(`Invalid LDAP filter at position ${at}: ${problem}`);
  }
}

/** A `*` in a value is always a wildcard: escapes are `\XX`, so a `*` is never part of one. */
function hasUnescapedStar(raw: string): boolean {
  return raw.includes('*');
}
