/**
 * The SCIM filter parser (RFC 7644 section 3.4.2.2).
 */
import { splitAttributePath } from '../attributes';
import { ScimProtocolError } from '../errors/ScimProtocolError';
import type { AttributePath, CompareOperator, CompareValue, FilterNode } from './ast';
import { type Token, tokenize } from './lexer';

/**
 * How deeply parentheses, `not (…)` and value paths may nest. Deeper filters are refused with
 * `invalidFilter` rather than exhausting the stack.
 */
export const MAX_FILTER_NESTING = 100;

const COMPARE_OPERATORS: ReadonlySet<string> = new Set<CompareOperator>([
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
]);
const OPERATOR_LIST = 'eq, ne, co, sw, ew, gt, ge, lt, le';
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const SHOWN_TOKEN_LENGTH = 40;

/** True when `word` is one of the comparison operators, in any case. */
export function isCompareOperator(word: string): boolean {
  return COMPARE_OPERATORS.has(word.toLowerCase());
}

/**
 * @internal A recursive-descent parser over the tokens of one filter or PATCH path.
 *
 * Grammar (RFC 7644 section 3.4.2.2, with `and` binding tighter than `or`):
 * ```
 * orExp     = andExp *("or" andExp)
 * andExp    = unary *("and" unary)
 * unary     = "(" orExp ")" / "not" "(" orExp ")" / attrExp / valuePath
 * valuePath = attrPath "[" orExp "]"          ; no value path inside the brackets
 * attrExp   = attrPath "pr" / attrPath compareOp compValue
 * ```
 */
export class FilterParser {
  private index = 0;
  private depth = 0;
  private readonly tokens: Token[];

  /**
   * @param source the text being parsed
   * @param scimType the error kind to throw (`invalidFilter` for filters, `invalidPath` for PATCH paths)
   * @param what the word used in messages: `filter` or `path`
   */
  constructor(
    source: string,
    private readonly scimType: 'invalidFilter' | 'invalidPath',
    private readonly what: string,
  ) {
    this.tokens = tokenize(source, (position, message) => this.failAt(position, message));
  }

  /** The token at the cursor. */
  peek(offset = 0): Token {
    const token = this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
    return token as Token;
  }

  /** Moves past the token at the cursor and returns it. */
  next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  /** Throws this parser's error for `position`. */
  failAt(position: number, message: string): never {
    throw new ScimProtocolError(this.scimType, `Invalid ${this.what} at position ${position}: ${message}`);
  }

  /** Throws "expected …, found …" for `token`. */
  expected(what: string, token: Token = this.peek()): never {
    return this.failAt(token.start, `expected ${what}, found ${describe(token, this.what)}`);
  }

  /** Consumes a token of `kind` or throws "expected …". */
  expect(kind: Token['kind'], what: string): Token {
    if (this.peek().kind !== kind) this.expected(what);
    return this.next();
  }

  /** Parses `orExp`. `insideValuePath` forbids nested value paths and names `]` in messages. */
  parseOr(insideValuePath: boolean): FilterNode {
    let left = this.parseAnd(insideValuePath);
    while (isKeyword(this.peek(), 'or')) {
      this.next();
      const right = this.parseAnd(insideValuePath);
      left = { type: 'or', left, right };
    }
    return left;
  }

  /** Parses an attribute path from a word token, reporting problems at the token. */
  parsePath(token: Token): AttributePath {
    const result = splitAttributePath(token.text);
    if (typeof result === 'string') this.failAt(token.start, result);
    return result;
  }

  private parseAnd(insideValuePath: boolean): FilterNode {
    let left = this.parseUnary(insideValuePath);
    while (isKeyword(this.peek(), 'and')) {
      this.next();
      const right = this.parseUnary(insideValuePath);
      left = { type: 'and', left, right };
    }
    return left;
  }

  private parseUnary(insideValuePath: boolean): FilterNode {
    const token = this.peek();
    if (token.kind === '(') {
      this.next();
      const inner = this.nested(() => this.parseOr(insideValuePath));
      this.expect(')', '")" closing the "(" at position ' + token.start);
      return inner;
    }
    if (token.kind !== 'word') return this.expected('an attribute path, "(" or "not ("');
    const after = this.peek(1);
    if (isKeyword(token, 'not')) {
      if (after.kind === '(') {
        this.next();
        this.next();
        const inner = this.nested(() => this.parseOr(insideValuePath));
        this.expect(')', `")" closing the "not (" at position ${token.start}`);
        return { type: 'not', filter: inner };
      }
      // "not" followed by an operator or "[" is an attribute called "not"; otherwise a misused keyword.
      const attributeNamedNot =
        after.kind === '[' ||
        (after.kind === 'word' && (isCompareOperator(after.text) || isKeyword(after, 'pr')));
      if (!attributeNamedNot) {
        return this.expected('"(" after "not" (write not (filter))', after);
      }
    }
    this.next();
    const path = this.parsePath(token);
    if (after.kind === '[') return this.parseValuePath(token, path, insideValuePath);
    return this.parseAttributeExpression(path);
  }

  private parseValuePath(pathToken: Token, path: AttributePath, insideValuePath: boolean): FilterNode {
    const open = this.next();
    if (insideValuePath) this.failAt(open.start, 'value paths cannot be nested inside a value filter');
    if (open.start !== pathToken.end) {
      this.failAt(open.start, `"[" must follow the attribute name "${pathToken.text}" without a space`);
    }
    if (path.subAttr !== undefined) {
      this.failAt(
        pathToken.start,
        `a value path's attribute cannot have a sub-attribute ("${pathToken.text}")`,
      );
    }
    const filter = this.nested(() => this.parseOr(true));
    this.expect(']', `"and", "or" or "]" closing the "[" at position ${open.start}`);
    return { type: 'valuePath', path, filter };
  }

  private parseAttributeExpression(path: AttributePath): FilterNode {
    const opToken = this.peek();
    if (opToken.kind !== 'word' || !(isCompareOperator(opToken.text) || isKeyword(opToken, 'pr'))) {
      return this.expected(`a comparison operator (${OPERATOR_LIST}) or "pr"`);
    }
    this.next();
    const op = opToken.text.toLowerCase();
    if (op === 'pr') return { type: 'present', path };
    const value = this.parseCompareValue();
    return { type: 'compare', path, op: op as CompareOperator, value };
  }

  private parseCompareValue(): CompareValue {
    const token = this.peek();
    if (token.kind === 'string') {
      this.next();
      return token.value as string;
    }
    if (token.kind === 'word') {
      const lower = token.text.toLowerCase();
      if (lower === 'true' || lower === 'false' || lower === 'null' || JSON_NUMBER.test(token.text)) {
        this.next();
        if (lower === 'true') return true;
        if (lower === 'false') return false;
        if (lower === 'null') return null;
        const number = Number(token.text);
        if (!Number.isFinite(number)) this.failAt(token.start, `the number ${token.text} is out of range`);
        return number;
      }
    }
    return this.expected('a value: a "quoted string", a number, true, false or null');
  }

  private nested<T>(parse: () => T): T {
    this.depth++;
    if (this.depth > MAX_FILTER_NESTING) {
      this.failAt(this.peek().start, `the ${this.what} nests more than ${MAX_FILTER_NESTING} levels deep`);
    }
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }
}

function isKeyword(token: Token, keyword: string): boolean {
  return token.kind === 'word' && token.text.toLowerCase() === keyword;
}

function describe(token: Token, what: string): string {
  if (token.kind === 'end') return `the end of the ${what}`;
  const text =
    token.text.length > SHOWN_TOKEN_LENGTH ? `${token.text.slice(0, SHOWN_TOKEN_LENGTH)}…` : token.text;
  return token.kind === 'string' ? `the string ${text}` : `"${text}"`;
}

/**
 * Parses a SCIM filter (RFC 7644 section 3.4.2.2) into its syntax tree.
 *
 * Accepts the full grammar: `and` binding tighter than `or` (both left-associative), grouping
 * parentheses, `not (…)`, value paths `emails[type eq "work" and value co "@example.com"]`,
 * URN-qualified attribute paths, operators and the keywords `and`, `or`, `not`, `pr`, `true`,
 * `false` and `null` in any case, JSON string literals with every JSON escape including `\uXXXX`,
 * and JSON numbers. Grouping parentheses leave no node in the tree. Whitespace between tokens may
 * be any run of spaces, tabs and line breaks. Nesting is limited to `MAX_FILTER_NESTING` (100) levels.
 *
 * @throws ScimProtocolError with scimType `invalidFilter`, whose message names the position
 *   (counted from 0) and what was expected there, e.g.
 *   `Invalid filter at position 9: expected a value: a "quoted string", a number, true, false or null, found "bjensen"`.
 * @example
 * ```ts
 * const ast = parseFilter('userName eq "bjensen" and not (emails[type eq "work"])');
 * matchesFilter(ast, user);
 * ```
 */
export function parseFilter(text: string): FilterNode {
  const parser = new FilterParser(text, 'invalidFilter', 'filter');
  if (parser.peek().kind === 'end') parser.failAt(0, 'the filter is empty');
  const ast = parser.parseOr(false);
  const rest = parser.peek();
  if (rest.kind !== 'end') {
    if (rest.kind === ')') parser.failAt(rest.start, '")" has no matching "("');
    parser.expected('"and", "or" or the end of the filter');
  }
  return ast;
}
