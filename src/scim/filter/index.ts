/**
 * SCIM filters (RFC 7644 section 3.4.2.2) and PATCH paths (section 3.5.2): build, parse, write, evaluate.
 */
export type {
  AndFilter,
  AttributePath,
  CompareFilter,
  CompareOperator,
  CompareValue,
  FilterNode,
  NotFilter,
  OrFilter,
  PatchPath,
  PresentFilter,
  ValuePathFilter,
} from './ast';
export type { FilterExpression, FilterInput } from './builder';
export { filter } from './builder';
export { defaultCaseExact } from './case-exact';
export type { MatchFilterOptions } from './evaluate';
export { matchesFilter } from './evaluate';
export { isCompareOperator, MAX_FILTER_NESTING, parseFilter } from './parser';
export { parsePatchPath } from './patch-path';
export { stringifyCompareValue, stringifyFilter } from './stringify';
