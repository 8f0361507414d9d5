/**
 * @internal Reading a mapping key: a SCIM attribute path, optionally choosing one value of a
 * multi-valued attribute with an `eq` value filter (`emails[type eq "work"].value`).
 */
import { isScimProtocolError } from '../../scim/errors/ScimProtocolError';
import type { AttributePath, FilterNode } from '../../scim/filter/ast';
import { parsePatchPath } from '../../scim/filter/patch-path';
import { MappingError } from './MappingError';
import type { MappedScalar } from './types';

/** One `subAttr eq value` condition of a value filter. */
export interface ValueFilterCondition {
  /** The sub-attribute tested, as written. */
  readonly name: string;
  /** The value it must equal; a new value of the attribute is created with it. */
  readonly value: MappedScalar;
}

/** A parsed mapping key. */
export interface MappingPath {
  /** The schema URN the key is qualified with, as written. */
  readonly schema: string | undefined;
  readonly attr: string;
  /** The sub-attribute: after the dot, or after the value filter's `]`. */
  readonly subAttr: string | undefined;
  /** The value filter between brackets, when the key chooses one value of a multi-valued attribute. */
  readonly valueFilter: FilterNode | undefined;
  /** The filter's conditions (non-empty when there is a filter). */
  readonly conditions: readonly ValueFilterCondition[];
}

/**
 * Parses mapping key `key`.
 *
 * @throws MappingError `invalidPath` when `key` is not an attribute path, or its value filter is
 *   anything but `subAttr eq value` conditions joined by `and`.
 */
export function parseMappingPath(key: string): MappingPath {
  let parsed: ReturnType<typeof parsePatchPath>;
  try {
    parsed = parsePatchPath(key);
  } catch (error) {
    if (!isScimProtocolError(error)) throw error;
    throw new MappingError('invalidPath', key, `Mapping key '${key}': ${error.message}`, {
      cause: error,
    });
  }
  const path: AttributePath = parsed.path;
  if (parsed.valueFilter === undefined) {
    return {
      schema: path.schema,
      attr: path.attr,
      subAttr: path.subAttr,
      valueFilter: undefined,
      conditions: [],
    };
  }
  const conditions: ValueFilterCondition[] = [];
  collectConditions(key, parsed.valueFilter, conditions);
  return {
    schema: path.schema,
    attr: path.attr,
    subAttr: parsed.subAttr,
    valueFilter: parsed.valueFilter,
    conditions,
  };
}

function collectConditions(key: string, node: FilterNode, out: ValueFilterCondition[]): void {
  if (node.type === 'and') {
    collectConditions(key, node.left, out);
    collectConditions(key, node.right, out);
    return;
  }
  if (
    node.type === 'compare' &&
    node.op === 'eq' &&
    node.value !== null &&
    node.path.schema === undefined &&
    node.path.subAttr === undefined
  ) {
    out.push({ name: node.path.attr, value: node.value });
    return;
  }
  throw new MappingError(
    'invalidPath',
    key,
    `Mapping key '${key}': a value filter in a mapping may only hold "subAttribute eq value" conditions joined by "and" (it names the one value to write, e.g. emails[type eq "work"].value)`,
  );
}
