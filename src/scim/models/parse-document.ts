import type { core, z } from 'zod';
import type { ScimValidationIssue } from '../errors/ScimValidationError';
import { ScimValidationError } from '../errors/ScimValidationError';
import { normalizeScimDocument } from '../normalize';
import type { ParseOptions, ResolvedParseOptions } from './parse-options';
import { resolveParseOptions } from './parse-options';

/** The two schemas of one document family: the RFC types, and what the SDK cannot work without. */
export interface DocumentSchemas<Strict extends z.ZodType> {
  /** Enforces RFC 7643/7644 types; also guides normalisation of names and values. */
  readonly strict: Strict;
  /** Enforces only what the SDK needs; passes everything else through as sent. */
  readonly lenient: z.ZodType;
}

/** Checks beyond the schema, run on the normalised input in both modes. */
export type ExtraCheck = (normalized: unknown, options: ResolvedParseOptions) => ScimValidationIssue[];

/**
 * Normalises `input` (see `normalizeScimDocument`), validates it in the requested mode, and returns
 * the value or throws a {@link ScimValidationError} naming the path of every problem.
 */
export function parseDocument<Strict extends z.ZodType>(
  what: string,
  input: unknown,
  schemas: DocumentSchemas<Strict>,
  options: ParseOptions | undefined,
  extraChecks: readonly ExtraCheck[] = [],
): z.output<Strict> {
  const resolved = resolveParseOptions(options);
  const { value: normalized, conflicts } = normalizeScimDocument(input, schemas.strict);
  const issues: ScimValidationIssue[] = [];
  if (resolved.mode === 'strict') {
    for (const conflict of conflicts) {
      issues.push({
        path: [...conflict.path, conflict.key],
        message: `attribute name differs from "${conflict.canonicalKey}" only by case`,
        code: 'duplicate_attribute',
      });
    }
  }
  for (const check of extraChecks) issues.push(...check(normalized, resolved));
  const schema = resolved.mode === 'strict' ? schemas.strict : schemas.lenient;
  const result = schema.safeParse(normalized, { error: describeIssue });
  if (!result.success) issues.push(...toValidationIssues(result.error.issues));
  if (issues.length > 0 || !result.success) {
    throw new ScimValidationError(what, issues);
  }
  return result.data as z.output<Strict>;
}

/** Converts zod issues to the SDK's issue shape (paths of strings and numbers). */
export function toValidationIssues(issues: readonly core.$ZodIssue[]): ScimValidationIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === 'number' ? part : String(part))),
    message: issue.message,
    code: issue.code,
  }));
}

/** Prefixes each issue's path, e.g. with `['Resources', 3]`. */
export function prefixIssues(
  prefix: readonly (string | number)[],
  issues: readonly ScimValidationIssue[],
): ScimValidationIssue[] {
  return issues.map((issue) => ({ ...issue, path: [...prefix, ...issue.path] }));
}

/** Issue for a missing `id` when {@link ResolvedParseOptions.requireId} is set. */
export const requireIdCheck: ExtraCheck = (normalized, options) => {
  if (!options.requireId || !isRecord(normalized)) return [];
  return normalized.id === undefined || normalized.id === null
    ? [
        {
          path: ['id'],
          message: 'required (a resource returned by a service must have an id)',
          code: 'invalid_type',
        },
      ]
    : [];
};

/** True for a non-null, non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Messages that name the expected type and the received kind, never the received value (which may
 * be a password).
 */
function describeIssue(issue: core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'required'
        : `expected ${issue.expected}, received ${kindOf(issue.input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array')
        return `expected at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return 'expected a non-empty string';
      return undefined;
    case 'invalid_format':
      return `expected ${issue.format === 'regex' ? 'a matching string' : issue.format}`;
    case 'invalid_union':
      return issue.input === undefined
        ? 'required'
        : `expected ${unionExpectation(issue)}, received ${kindOf(issue.input)}`;
    default:
      return undefined;
  }
}

/** `string or number` for a union of those; a generic phrase when the options are not plain types. */
function unionExpectation(issue: core.$ZodRawIssue<core.$ZodIssueInvalidUnion>): string {
  const expected = new Set<string>();
  for (const optionIssues of issue.errors) {
    for (const optionIssue of optionIssues) {
      if (optionIssue.code === 'invalid_type' && optionIssue.path.length === 0)
        expected.add(optionIssue.expected);
    }
  }
  return expected.size > 0 ? [...expected].join(' or ') : 'one of the allowed forms';
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
