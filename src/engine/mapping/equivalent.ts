/**
 * Whether two compiled mappings build the same resources. The engine plans with the mapping as
 * configured and writes with the one checked against the target's /Schemas; when the target's
 * schemas change nothing about the mapped attributes (the usual case), the two are equivalent and
 * each user is mapped once per cycle instead of twice.
 */
import type { CompiledMapping, CompiledRule } from './compile';
import { stableHash } from './hash';

/**
 * True when `mapUser`/`mapGroup` give the same resource, hash and values with `a` as with `b` for
 * every source object: the same rules in the same order, each with the same target path, source,
 * transforms (the same functions), default, type, multiplicity and case-exactness.
 *
 * @example
 * ```ts
 * const checked = compileMapping(mapping, { schemas, resourceType: 'User' });
 * const writeWith = mappingsEquivalent(checked, configured) ? configured : checked;
 * ```
 */
export function mappingsEquivalent(a: CompiledMapping, b: CompiledMapping): boolean {
  if (a === b) return true;
  if (a.resourceType !== b.resourceType || a.baseSchema !== b.baseSchema) return false;
  if (a.rules.length !== b.rules.length) return false;
  return a.rules.every((rule, index) => {
    const other = b.rules[index];
    return other !== undefined && rulesEquivalent(rule, other);
  });
}

function rulesEquivalent(a: CompiledRule, b: CompiledRule): boolean {
  return (
    a.key === b.key &&
    a.schema === b.schema &&
    a.attr === b.attr &&
    a.subAttr === b.subAttr &&
    a.canonicalPath === b.canonicalPath &&
    stableHash(a.conditions) === stableHash(b.conditions) &&
    a.from === b.from &&
    a.transforms.length === b.transforms.length &&
    a.transforms.every((transform, index) => transform === b.transforms[index]) &&
    a.createOnly === b.createOnly &&
    stableHash(a.default ?? null) === stableHash(b.default ?? null) &&
    a.type === b.type &&
    a.multiValued === b.multiValued &&
    a.caseExact === b.caseExact
  );
}
