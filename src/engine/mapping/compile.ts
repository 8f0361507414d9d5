import { isCoreSchema } from '../../scim/attributes';
import type { FilterNode } from '../../scim/filter/ast';
import { defaultCaseExact } from '../../scim/filter/case-exact';
import { CORE_SCHEMAS } from '../../scim/models/core-schemas';
import type { AttributeType, SchemaAttribute, ScimSchema } from '../../scim/models/schema';
import { SCHEMAS } from '../../scim/schemas';
import { MappingError } from './MappingError';
import { parseMappingPath, type ValueFilterCondition } from './mapping-path';
import type {
  AttributeMapping,
  BuiltInTransform,
  MappedScalar,
  MappedValue,
  MappingRule,
  MappingTransform,
} from './types';

/** The kind of resource a mapping fills. */
export type MappingResourceType = 'User' | 'Group';

/** Options of {@link compileMapping}. */
export interface CompileMappingOptions {
  /**
   * The schemas the target publishes at `/Schemas` (see `ScimClient.discover()`). When given, every
   * key is checked against them: an unknown schema, attribute or sub-attribute, a path that does
   * not fit the attribute's type, and a read-only, write-only or immutable target are refused.
   * Core and Enterprise User paths whose schema the target does not publish are checked against
   * RFC 7643.
   *
   * @default undefined: paths are checked against the RFC 7643 schemas where they name core or
   *   Enterprise User attributes; other attributes are taken as written
   */
  readonly schemas?: readonly ScimSchema[];
  /**
   * Which resource the mapping fills: its core schema is the one unqualified keys name.
   *
   * @default 'User'
   */
  readonly resourceType?: MappingResourceType;
}

/** One checked mapping rule. */
export interface CompiledRule {
  /** The mapping key, as written. */
  readonly key: string;
  /** The extension schema URN holding the attribute (schema spelling), or `undefined` for the core schema. */
  readonly schema: string | undefined;
  /** The attribute, in the schema's spelling when the schema is known. */
  readonly attr: string;
  /** The sub-attribute, in the schema's spelling when known. */
  readonly subAttr: string | undefined;
  /** The value filter choosing one value of a multi-valued attribute. */
  readonly valueFilter: FilterNode | undefined;
  /** The filter's `name eq value` conditions: the attributes a new value is created with. */
  readonly conditions: readonly ValueFilterCondition[];
  /**
   * The lower-cased full path, filter included: identifies the target attribute (two keys with
   * the same one are duplicates) and orders the hash.
   */
  readonly canonicalPath: string;
  /** The source attribute. */
  readonly from: string;
  /** The rule's transforms, in the order they run. */
  readonly transforms: readonly MappingTransform[];
  /** Written on create only (see {@link MappingRule.createOnly}). */
  readonly createOnly: boolean;
  /** The value used when the source has none (see {@link MappingRule.default}). */
  readonly default: MappedValue | undefined;
  /** The attribute's SCIM type, when a schema says it. */
  readonly type: AttributeType | undefined;
  /** True for a multi-valued simple attribute: every source value is written, as an array. */
  readonly multiValued: boolean;
  /** Whether the target compares the attribute's strings case-sensitively. */
  readonly caseExact: boolean;
}

/** A mapping checked by {@link compileMapping}, ready for `mapUser`/`mapGroup`. Immutable. */
export interface CompiledMapping {
  /** The resource the mapping fills. */
  readonly resourceType: MappingResourceType;
  /** The URN of the resource's core schema. */
  readonly baseSchema: string;
  /** The rules, in the mapping's key order. */
  readonly rules: readonly CompiledRule[];
  /**
   * The source attributes the mapping reads, each once (case-insensitively): what to ask the
   * datastore for.
   */
  readonly sourceAttributes: readonly string[];
  /** The schemas the rules were checked against: the target's, then RFC 7643's for the rest. */
  readonly schemas: readonly ScimSchema[];
}

const BUILT_IN_TRANSFORMS: ReadonlySet<string> = new Set<BuiltInTransform>(['trim', 'lower', 'upper']);

/**
 * `externalId`, a common attribute of every resource (RFC 7643 section 3.1): schemas do not list
 * it, yet it is writable.
 */
const EXTERNAL_ID: SchemaAttribute = Object.freeze({
  name: 'externalId',
  type: 'string',
  multiValued: false,
  caseExact: true,
  mutability: 'readWrite',
});

/** Attributes of the core schema no mapping may write, and why. */
const RESERVED: Readonly<Record<MappingResourceType, Readonly<Record<string, string>>>> = {
  User: {
    id: 'is assigned by the service provider',
    meta: 'is maintained by the service provider',
    schemas: 'is written by the SDK from the attributes mapped',
    active: "is set by the engine from the source account's status",
    groups: 'is read-only; memberships are provisioned through groups',
    password: 'is a secret; the SDK does not provision secrets',
  },
  Group: {
    id: 'is assigned by the service provider',
    meta: 'is maintained by the service provider',
    schemas: 'is written by the SDK from the attributes mapped',
    members: "is set by the engine from the source group's members",
  },
};

/**
 * Checks a mapping up front, so that a wrong one fails before anything is written.
 *
 * Every key must be a SCIM path (`userName`, `name.givenName`, `emails[type eq "work"].value`,
 * `urn:…:enterprise:2.0:User:department`), every rule well formed, no two keys may name the same
 * attribute, and a User mapping must map `userName`. With `schemas` (the target's `/Schemas`),
 * each attribute must exist there, fit its type and be writable.
 *
 * @throws MappingError naming the key and what is wrong.
 * @example
 * ```ts
 * const capabilities = await client.discover();
 * const compiled = compileMapping(ACTIVE_DIRECTORY_USER_MAPPING, { schemas: capabilities.schemas });
 * ```
 */
export function compileMapping(
  mapping: AttributeMapping,
  options: CompileMappingOptions = {},
): CompiledMapping {
  const resourceType = options.resourceType ?? 'User';
  const baseSchema = resourceType === 'User' ? SCHEMAS.User : SCHEMAS.Group;
  const given = options.schemas;
  const knowledge = [...(given ?? []), ...CORE_SCHEMAS.filter((core) => !hasSchema(given, core.id))];
  const rules: CompiledRule[] = [];
  const seen = new Map<string, string>();
  const sources = new Map<string, string>();

  for (const [key, value] of Object.entries(mapping)) {
    const rule = compileRule(key, value, { resourceType, baseSchema, given, knowledge });
    const previous = seen.get(rule.canonicalPath);
    if (previous !== undefined) {
      throw new MappingError(
        'duplicate',
        key,
        `Mapping keys '${previous}' and '${key}' name the same attribute; keep one`,
      );
    }
    seen.set(rule.canonicalPath, key);
    rules.push(Object.freeze(rule));
    const lower = rule.from.toLowerCase();
    if (!sources.has(lower)) sources.set(lower, rule.from);
  }

  if (
    resourceType === 'User' &&
    !rules.some((rule) => rule.schema === undefined && sameName(rule.attr, 'userName'))
  ) {
    throw new MappingError(
      'missingRequired',
      'userName',
      'The mapping has no rule for userName, which every SCIM User needs (RFC 7643 section 4.1.1), e.g. userName: "userPrincipalName"',
    );
  }

  return Object.freeze({
    resourceType,
    baseSchema,
    rules: Object.freeze(rules),
    sourceAttributes: Object.freeze([...sources.values()]),
    schemas: Object.freeze(knowledge),
  });
}

interface CompileContext {
  readonly resourceType: MappingResourceType;
  readonly baseSchema: string;
  readonly given: readonly ScimSchema[] | undefined;
  readonly knowledge: readonly ScimSchema[];
}

function compileRule(key: string, value: string | MappingRule, context: CompileContext): CompiledRule {
  const rule = normalizeRule(key, value);
  const path = parseMappingPath(key);
  const fail = (code: ConstructorParameters<typeof MappingError>[0], what: string): never => {
    throw new MappingError(code, key, `Mapping key '${key}': ${what}`);
  };

  // Which schema holds the attribute.
  let extension: string | undefined;
  if (path.schema !== undefined && !sameName(path.schema, context.baseSchema)) {
    if (isCoreSchema(path.schema)) {
      fail('unknownSchema', `"${path.schema}" is not the ${context.resourceType} schema this mapping fills`);
    }
    extension = path.schema;
  }
  const schemaUrn = extension ?? context.baseSchema;
  const fromTarget = context.given?.find((schema) => sameName(schema.id, schemaUrn));
  const schema = fromTarget ?? context.knowledge.find((schema) => sameName(schema.id, schemaUrn));
  if (context.given !== undefined && schema === undefined) {
    const published = context.given.map((s) => s.id).join(', ') || 'none';
    fail('unknownSchema', `the target publishes no schema "${schemaUrn}" (it publishes: ${published})`);
  }
  const strict = fromTarget !== undefined;

  if (extension === undefined) {
    const reason = RESERVED[context.resourceType][path.attr.toLowerCase()];
    if (reason !== undefined) fail('reserved', `${path.attr} cannot be mapped: it ${reason}`);
  }

  const attribute =
    extension === undefined && sameName(path.attr, 'externalId')
      ? EXTERNAL_ID
      : findByName(schema?.attributes, path.attr);
  if (attribute === undefined && strict) {
    fail('unknownAttribute', `the schema "${schemaUrn}" has no attribute "${path.attr}"`);
  }
  let sub: SchemaAttribute | undefined;
  if (attribute !== undefined) {
    const isComplex = attribute.type === 'complex';
    if (isComplex && path.subAttr === undefined) {
      const names = (attribute.subAttributes ?? []).map((s) => s.name);
      const example =
        attribute.multiValued && names.includes('type')
          ? `${attribute.name}[type eq "work"].value`
          : `${attribute.name}.${names[0] ?? 'value'}`;
      fail(
        'wrongType',
        `${attribute.name} is a complex attribute; map one of its sub-attributes (${names.join(', ')}), e.g. ${example}`,
      );
    }
    if (!isComplex && path.subAttr !== undefined) {
      fail(
        'wrongType',
        `${attribute.name} is a ${attribute.type} attribute; it has no sub-attribute "${path.subAttr}"`,
      );
    }
    if (isComplex && attribute.multiValued && path.valueFilter === undefined) {
      fail(
        'wrongType',
        `${attribute.name} is multi-valued; choose the value to write with a filter, e.g. ${attribute.name}[type eq "work"].${path.subAttr}`,
      );
    }
    if (path.valueFilter !== undefined && !(isComplex && attribute.multiValued)) {
      fail(
        'wrongType',
        `${attribute.name} is not a multi-valued complex attribute; it takes no value filter`,
      );
    }
    if (isComplex && path.subAttr !== undefined) {
      sub = findByName(attribute.subAttributes, path.subAttr);
      if (sub === undefined && strict) {
        fail('unknownAttribute', `${attribute.name} has no sub-attribute "${path.subAttr}"`);
      }
      for (const condition of path.conditions) {
        if (strict && findByName(attribute.subAttributes, condition.name) === undefined) {
          fail(
            'unknownAttribute',
            `the value filter tests "${condition.name}", which ${attribute.name} does not have`,
          );
        }
      }
    }
    for (const definition of [attribute, sub]) {
      if (definition === undefined) continue;
      const where = definition === attribute ? attribute.name : `${attribute.name}.${definition.name}`;
      switch (definition.mutability) {
        case 'readOnly':
          fail('readOnly', `${where} is read-only in the target (mutability "readOnly")`);
          break;
        case 'writeOnly':
          fail('writeOnly', `${where} is write-only (a secret); the SDK does not provision secrets`);
          break;
        case 'immutable':
          if (!rule.createOnly) {
            fail('immutable', `${where} is immutable (it can only be set on create): add createOnly: true`);
          }
          break;
        default:
          break;
      }
    }
  }
  if (path.valueFilter !== undefined && path.subAttr === undefined) {
    fail('wrongType', `say which sub-attribute of the chosen value to write, e.g. ${key}.value`);
  }
  if (path.subAttr !== undefined && path.conditions.some((c) => sameName(c.name, path.subAttr ?? ''))) {
    fail('invalidPath', `the value filter cannot test "${path.subAttr}", the sub-attribute being written`);
  }

  const leaf = sub ?? (attribute?.type === 'complex' ? undefined : attribute);
  const attr = attribute?.name ?? path.attr;
  const subAttr = sub?.name ?? path.subAttr;
  const schemaId = extension === undefined ? undefined : (schema?.id ?? extension);
  const type = leaf?.type;
  const multiValued = leaf !== undefined && leaf === attribute && attribute.multiValued;
  const caseExact =
    leaf?.caseExact ??
    defaultCaseExact({
      ...(schemaId === undefined ? {} : { schema: schemaId }),
      attr,
      ...(subAttr === undefined ? {} : { subAttr }),
    });

  if (rule.default !== undefined) checkDefault(key, rule.default, type, multiValued);

  const conditions = path.conditions.map((condition) => ({
    name: findByName(attribute?.subAttributes, condition.name)?.name ?? condition.name,
    value: condition.value,
  }));
  return {
    key,
    schema: schemaId,
    attr,
    subAttr,
    valueFilter: path.valueFilter,
    conditions,
    canonicalPath: canonicalPath(schemaUrn, attr, conditions, subAttr),
    from: rule.from,
    transforms: rule.transforms,
    createOnly: rule.createOnly,
    default: rule.default,
    type,
    multiValued,
    caseExact,
  };
}

interface NormalizedRule {
  readonly from: string;
  readonly transforms: readonly MappingTransform[];
  readonly createOnly: boolean;
  readonly default: MappedValue | undefined;
}

function normalizeRule(key: string, value: unknown): NormalizedRule {
  const invalid = (what: string): never => {
    throw new MappingError('invalidRule', key, `Mapping rule for '${key}': ${what}`);
  };
  if (typeof value === 'string') {
    if (!isSourceAttributeName(value)) invalid('the source attribute name is empty or has spaces');
    return { from: value, transforms: [], createOnly: false, default: undefined };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('expected a source attribute name or { from, transform?, createOnly?, default? }');
  }
  const rule = value as Record<string, unknown>;
  for (const field of Object.keys(rule)) {
    if (!['from', 'transform', 'createOnly', 'default'].includes(field)) invalid(`unknown field "${field}"`);
  }
  if (typeof rule.from !== 'string' || !isSourceAttributeName(rule.from)) {
    invalid('"from" must name a source attribute (non-empty, no spaces)');
  }
  const transforms: MappingTransform[] = [];
  const transform = rule.transform;
  for (const step of transform === undefined ? [] : Array.isArray(transform) ? transform : [transform]) {
    if (typeof step === 'function') transforms.push(step as MappingTransform);
    else if (typeof step === 'string' && BUILT_IN_TRANSFORMS.has(step))
      transforms.push(step as BuiltInTransform);
    else invalid(`unknown transform ${JSON.stringify(step)} (use 'trim', 'lower', 'upper' or a function)`);
  }
  if (rule.createOnly !== undefined && typeof rule.createOnly !== 'boolean')
    invalid('"createOnly" must be a boolean');
  const fallback = rule.default;
  if (fallback !== undefined && !isMappedValue(fallback)) {
    invalid('"default" must be a string, a number, a boolean, or an array of them');
  }
  return {
    from: rule.from as string,
    transforms: Object.freeze(transforms),
    createOnly: rule.createOnly === true,
    default: fallback === undefined ? undefined : (Object.freeze(fallback) as MappedValue),
  };
}

function checkDefault(
  key: string,
  value: MappedValue,
  type: AttributeType | undefined,
  multiValued: boolean,
): void {
  const values = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && !multiValued) {
    throw new MappingError(
      'wrongType',
      key,
      `Mapping rule for '${key}': "default" is an array but the attribute is single-valued`,
    );
  }
  for (const item of values) {
    if (type !== undefined && !scalarFits(item, type)) {
      throw new MappingError(
        'wrongType',
        key,
        `Mapping rule for '${key}': "default" must be a ${type === 'integer' || type === 'decimal' ? 'number' : type === 'boolean' ? 'boolean' : 'string'} (the attribute's type is ${type})`,
      );
    }
  }
}

function scalarFits(value: MappedScalar, type: AttributeType): boolean {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value);
    case 'complex':
      return false;
    default:
      return typeof value === 'string';
  }
}

function isMappedValue(value: unknown): value is MappedValue {
  const isScalar = (item: unknown): boolean =>
    typeof item === 'string' ||
    typeof item === 'boolean' ||
    (typeof item === 'number' && Number.isFinite(item));
  return Array.isArray(value) ? value.every(isScalar) : isScalar(value);
}

/** A source attribute name: non-empty, no white space (LDAP names, with options such as `;binary`). */
function isSourceAttributeName(name: string): boolean {
  return name.length > 0 && !/\s/.test(name);
}

function canonicalPath(
  schemaUrn: string,
  attr: string,
  conditions: readonly ValueFilterCondition[],
  subAttr: string | undefined,
): string {
  let path = `${schemaUrn}:${attr}`;
  if (conditions.length > 0) {
    const parts = conditions.map((c) => `${c.name} eq ${JSON.stringify(c.value)}`).sort();
    path += `[${parts.join(' and ')}]`;
  }
  if (subAttr !== undefined) path += `.${subAttr}`;
  return path.toLowerCase();
}

function hasSchema(schemas: readonly ScimSchema[] | undefined, id: string): boolean {
  return schemas?.some((schema) => sameName(schema.id, id)) ?? false;
}

/** @internal Finds an attribute definition by name, case-insensitively. */
export function findByName(
  attributes: readonly SchemaAttribute[] | undefined,
  name: string,
): SchemaAttribute | undefined {
  const lower = name.toLowerCase();
  return attributes?.find((attribute) => attribute.name.toLowerCase() === lower);
}

/** @internal Case-insensitive comparison of names and URNs. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
