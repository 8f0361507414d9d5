import type { core } from 'zod';
import { SCHEMAS } from './schemas';

/** A place in the input where normalisation found something it could not settle on its own. */
export interface NormalizationConflict {
  /** Path from the document root to the object holding the clashing keys. */
  readonly path: readonly (string | number)[];
  /** The key that was left as sent because its canonical spelling was already present. */
  readonly key: string;
  /** The canonical spelling it clashes with. */
  readonly canonicalKey: string;
}

/** What {@link normalizeScimDocument} returns. */
export interface NormalizedDocument {
  /** A copy of the input with canonical attribute names and values; the input is never written to. */
  readonly value: unknown;
  /**
   * Keys that differ from an attribute name present in the same object only by case (for example
   * both `userName` and `USERNAME`). The canonical one is used and the other is kept as sent.
   */
  readonly conflicts: readonly NormalizationConflict[];
}

const KNOWN_URNS = new Map<string, string>(Object.values(SCHEMAS).map((urn) => [urn.toLowerCase(), urn]));

/**
 * Brings a SCIM document that a real service sent into the spelling RFC 7643 uses, guided by a zod
 * schema of the document, before that schema validates it:
 *
 * - attribute names are matched case-insensitively (RFC 7643 section 2.1) and renamed to the
 *   spelling of the schema, at every level, including extension URN keys such as
 *   `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` (URNs compare case-insensitively);
 * - `"True"`/`"False"` strings (any case, as Entra ID sends them) become booleans where the schema
 *   expects a boolean;
 * - values of enumerations (`op`, `type`, `mutability`, bulk `method`, ...) are matched
 *   case-insensitively and take the schema's spelling, so `Replace` becomes `replace`;
 * - URNs of RFC 7643/7644 inside a `schemas` array take their canonical spelling.
 *
 * Everything the schema does not describe (unknown attributes, unknown extension objects) is kept
 * exactly as sent. The input is never modified: every object and array the schema describes is
 * copied; values the schema does not describe are the input's own (not deep-copied).
 *
 * @param input - the document as received, e.g. a parsed JSON response body.
 * @param schema - the zod schema that describes the document (its strict form).
 * @returns the normalised copy and any key clashes found.
 *
 * @example
 * ```ts
 * const { value } = normalizeScimDocument({ USERNAME: 'bjensen', Active: 'True' }, ScimUser);
 * // value: { userName: 'bjensen', active: true }
 * ```
 */
export function normalizeScimDocument(input: unknown, schema: core.$ZodType): NormalizedDocument {
  const conflicts: NormalizationConflict[] = [];
  const value = normalizeValue(input, schema, [], conflicts);
  return { value, conflicts };
}

/** Deeper than any SCIM document; a guard against self-referencing input. */
const MAX_DEPTH = 64;

/** Walks the input and the schema together; `path` is shared and restored after each step. */
function normalizeValue(
  value: unknown,
  schema: core.$ZodType,
  path: (string | number)[],
  conflicts: NormalizationConflict[],
): unknown {
  if (path.length > MAX_DEPTH) return value;
  const target = unwrap(schema, value);
  if (target === undefined) return value;
  const def = target._zod.def;
  switch (def.type) {
    case 'object':
      return isPlainObject(value)
        ? normalizeObject(value, (def as core.$ZodObjectDef).shape, path, conflicts)
        : value;
    case 'array': {
      if (!Array.isArray(value)) return value;
      const element = (def as core.$ZodArrayDef).element;
      return value.map((item, index) => normalizeChild(item, element, index, path, conflicts));
    }
    case 'record': {
      if (!isPlainObject(value)) return value;
      const valueType = (def as core.$ZodRecordDef).valueType;
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        setOwn(out, key, normalizeChild(item, valueType, key, path, conflicts));
      }
      return out;
    }
    case 'boolean':
      return typeof value === 'string' ? parseBooleanString(value) : value;
    case 'enum':
      return typeof value === 'string'
        ? matchCaseInsensitive(value, Object.values((def as core.$ZodEnumDef).entries))
        : value;
    case 'literal':
      return typeof value === 'string'
        ? matchCaseInsensitive(value, (def as core.$ZodLiteralDef<core.util.Literal>).values)
        : value;
    default:
      return value;
  }
}

function normalizeChild(
  value: unknown,
  schema: core.$ZodType,
  step: string | number,
  path: (string | number)[],
  conflicts: NormalizationConflict[],
): unknown {
  path.push(step);
  try {
    return normalizeValue(value, schema, path, conflicts);
  } finally {
    path.pop();
  }
}

function normalizeObject(
  value: Record<string, unknown>,
  shape: Readonly<Record<string, core.$ZodType>>,
  path: (string | number)[],
  conflicts: NormalizationConflict[],
): Record<string, unknown> {
  const canonicalByLowerCase = canonicalNames(shape);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const canonical = canonicalByLowerCase.get(key.toLowerCase());
    if (canonical === undefined) {
      setOwn(out, key, item);
      continue;
    }
    if (canonical !== key && (Object.hasOwn(value, canonical) || Object.hasOwn(out, canonical))) {
      conflicts.push({ path: [...path], key, canonicalKey: canonical });
      setOwn(out, key, item);
      continue;
    }
    const itemSchema = shape[canonical];
    out[canonical] =
      itemSchema === undefined
        ? item
        : canonical === 'schemas'
          ? canonicalizeSchemaUrns(item)
          : normalizeChild(item, itemSchema, canonical, path, conflicts);
  }
  return out;
}

const canonicalNamesCache = new WeakMap<object, Map<string, string>>();

/** Lower-cased attribute name to its spelling in the schema, computed once per object schema. */
function canonicalNames(shape: Readonly<Record<string, core.$ZodType>>): Map<string, string> {
  let names = canonicalNamesCache.get(shape);
  if (names === undefined) {
    names = new Map(Object.keys(shape).map((key) => [key.toLowerCase(), key]));
    canonicalNamesCache.set(shape, names);
  }
  return names;
}

/** Follows wrappers (optional, nullable, default, pipe, lazy, ...) to the schema that says what the value is. */
function unwrap(schema: core.$ZodType, value: unknown): core.$ZodType | undefined {
  let current: core.$ZodType = schema;
  for (let step = 0; step < 32; step++) {
    const def = current._zod.def;
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'nonoptional':
      case 'readonly':
      case 'catch':
        current = (def as core.$ZodOptionalDef).innerType;
        break;
      case 'pipe':
        current = (def as core.$ZodPipeDef).in;
        break;
      case 'lazy':
        current = (def as core.$ZodLazyDef).getter();
        break;
      case 'union': {
        const option = pickUnionOption((def as core.$ZodUnionDef).options, value);
        if (option === undefined) return undefined;
        current = option;
        break;
      }
      default:
        return current;
    }
  }
  return undefined;
}

/** For a union, the first option of the same kind as the value (object or array). */
function pickUnionOption(options: readonly core.$ZodType[], value: unknown): core.$ZodType | undefined {
  const kind = Array.isArray(value) ? 'array' : isPlainObject(value) ? 'object' : undefined;
  if (kind === undefined) return undefined;
  return options.find((option) => unwrap(option, value)?._zod.def.type === kind);
}

function parseBooleanString(value: string): unknown {
  const lower = value.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return value;
}

function matchCaseInsensitive(value: string, options: readonly unknown[]): string {
  if (options.includes(value)) return value;
  const lower = value.toLowerCase();
  const found = options.find((option) => typeof option === 'string' && option.toLowerCase() === lower);
  return typeof found === 'string' ? found : value;
}

function canonicalizeSchemaUrns(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((item) =>
    typeof item === 'string' ? (KNOWN_URNS.get(item.toLowerCase()) ?? item) : item,
  );
}

/**
 * `out[key] = value`, except that a `__proto__` key (which `JSON.parse` makes an ordinary own
 * property) stays an own property instead of replacing the copy's prototype.
 */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
