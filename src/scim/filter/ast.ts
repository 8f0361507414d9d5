/**
 * The abstract syntax of SCIM filters (RFC 7644 section 3.4.2.2) and attribute paths
 * (RFC 7644 section 3.10 and the PATCH `path` grammar of section 3.5.2).
 *
 * These types are the contract between the filter builder, the parser, the evaluator, PATCH
 * application and the client's local-filter fallback.
 */

/** Comparison operators of RFC 7644 table 3, lower-case. */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A comparison value: a JSON literal (RFC 7644 `compValue`). Dates are strings. */
export type CompareValue = string | number | boolean | null;

/**
 * An attribute path: `[schemaUrn ":"] attr ["." subAttr]`.
 *
 * `attr` and `subAttr` keep the spelling they were written with; compare them
 * case-insensitively. `schema` is set only when the path was URN-qualified, e.g.
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value` gives
 * `{ schema: 'urn:…:enterprise:2.0:User', attr: 'manager', subAttr: 'value' }`.
 */
export interface AttributePath {
  readonly schema?: string;
  readonly attr: string;
  readonly subAttr?: string;
}

/** `attrPath op compValue` */
export interface CompareFilter {
  readonly type: 'compare';
  readonly path: AttributePath;
  readonly op: CompareOperator;
  readonly value: CompareValue;
}

/** `attrPath pr` */
export interface PresentFilter {
  readonly type: 'present';
  readonly path: AttributePath;
}

/** `a and b` */
export interface AndFilter {
  readonly type: 'and';
  readonly left: FilterNode;
  readonly right: FilterNode;
}

/** `a or b` */
export interface OrFilter {
  readonly type: 'or';
  readonly left: FilterNode;
  readonly right: FilterNode;
}

/** `not (a)` */
export interface NotFilter {
  readonly type: 'not';
  readonly filter: FilterNode;
}

/** `attrPath[valFilter]`, e.g. `emails[type eq "work" and value co "@example.com"]`. */
export interface ValuePathFilter {
  readonly type: 'valuePath';
  /** The multi-valued attribute; never has `subAttr`. */
  readonly path: AttributePath;
  /** Evaluated against each value of the attribute; paths inside it name sub-attributes. */
  readonly filter: FilterNode;
}

/** Any node of a parsed or built filter. Grouping parentheses leave no node of their own. */
export type FilterNode = CompareFilter | PresentFilter | AndFilter | OrFilter | NotFilter | ValuePathFilter;

/**
 * A PATCH operation's `path` (RFC 7644 section 3.5.2):
 * `attrPath` | `valuePath ["." subAttr]`, e.g. `members[value eq "2819c223"]` or
 * `emails[type eq "work"].value` or `urn:…:enterprise:2.0:User:manager.value`.
 */
export interface PatchPath {
  /** The attribute (with `subAttr` only when there is no value filter). */
  readonly path: AttributePath;
  /** The value-selection filter between brackets, if any. */
  readonly valueFilter?: FilterNode;
  /** The sub-attribute after the closing bracket, if any (`emails[type eq "work"].value`). */
  readonly subAttr?: string;
}
