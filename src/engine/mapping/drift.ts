import type { CompiledMapping } from './compile';
import type { MergeInput } from './merge';
import { readRuleValue } from './resource-access';

/**
 * The mapping keys whose value in the target differs from the mapped one: changes made in the
 * target behind the engine's back, which a full cycle repairs. createOnly keys are not compared.
 *
 * Strings compare case-insensitively unless the attribute is caseExact (a target that lower-cases
 * emails is not drifting); numbers and booleans compare by value, also when the target sends
 * them as text; a multi-valued attribute compares as a set.
 *
 * @example
 * ```ts
 * const mapped = mapUser(compiled, sourceUser);
 * if (driftedAttributes(await client.users.get(targetId), mapped, compiled).length > 0) {
 *   // replace the user
 * }
 * ```
 */
export function driftedAttributes(
  target: Readonly<Record<string, unknown>>,
  mapped: Pick<MergeInput, 'values'>,
  compiled: CompiledMapping,
  ignore?: ReadonlySet<string>,
): string[] {
  const drifted: string[] = [];
  for (const rule of compiled.rules) {
    if (rule.createOnly || ignore?.has(rule.key) === true) continue;
    const want = comparable(mapped.values.get(rule.key), rule.caseExact);
    const have = comparable(readRuleValue(target as Record<string, unknown>, rule), rule.caseExact);
    if (want.length !== have.length || want.some((value, index) => value !== have[index]))
      drifted.push(rule.key);
  }
  return drifted;
}

/**
 * The mapping keys (createOnly ones excluded) with a value in `mapped` that `response`, the
 * target's answer to a POST or PUT of that value, does not have at all: attributes the target does
 * not retain (it dropped them silently), which drift comparison must then leave alone.
 */
export function droppedAttributes(
  response: Readonly<Record<string, unknown>>,
  mapped: Pick<MergeInput, 'values'>,
  compiled: CompiledMapping,
): string[] {
  const dropped: string[] = [];
  for (const rule of compiled.rules) {
    if (rule.createOnly) continue;
    if (comparable(mapped.values.get(rule.key), true).length === 0) continue;
    if (comparable(readRuleValue(response as Record<string, unknown>, rule), true).length === 0)
      dropped.push(rule.key);
  }
  return dropped;
}

/** A value as a sorted list of comparable strings; nothing for absent, `null`, `''` or `[]`. */
function comparable(value: unknown, caseExact: boolean): string[] {
  const values = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of values) {
    if (item === undefined || item === null || item === '') continue;
    const text = typeof item === 'object' ? JSON.stringify(item) : String(item);
    out.push(caseExact || typeof item !== 'string' ? text : text.toLowerCase());
  }
  return out.sort();
}
