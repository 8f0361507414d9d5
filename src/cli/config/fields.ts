/**
 * The fields of the configuration schema, read from the schema itself: the list that
 * docs/configuration.md must document (a test checks it), and the keys allowed at a given place
 * (to suggest the right name for a misspelt one).
 *
 * @module
 */
import { ConfigSchema, SecretSchema } from './schema';

interface SchemaDefinition {
  readonly type: string;
  readonly shape?: Readonly<Record<string, unknown>>;
  readonly innerType?: unknown;
  readonly options?: readonly unknown[];
}

/** The definition of a zod schema (`schema._zod.def`), the part this module reads. */
function definitionOf(schema: unknown): SchemaDefinition | undefined {
  if (typeof schema !== 'object' || schema === null || !('_zod' in schema)) return undefined;
  const internals = (schema as { _zod: { def?: SchemaDefinition } })._zod;
  return internals.def;
}

/** The object shapes a schema accepts at its top (through optional, nullable and union). */
function shapesOf(schema: unknown): Array<Readonly<Record<string, unknown>>> {
  if (schema === SecretSchema) return [];
  const definition = definitionOf(schema);
  if (definition === undefined) return [];
  switch (definition.type) {
    case 'object':
      return definition.shape === undefined ? [] : [definition.shape];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return shapesOf(definition.innerType);
    case 'union':
      return (definition.options ?? []).flatMap(shapesOf);
    default:
      return [];
  }
}

/**
 * Every field path of the configuration, parents before children, e.g. `target`, `target.type`,
 * `target.auth`, `target.auth.token`. Secrets and maps (`mapping.users`) are leaves.
 *
 * @example
 * ```ts
 * configFieldPaths().includes('source.users.baseDn'); // true
 * ```
 */
export function configFieldPaths(): string[] {
  const paths: string[] = [];
  const walk = (schema: unknown, prefix: string) => {
    const seen = new Set<string>();
    for (const shape of shapesOf(schema)) {
      for (const [key, child] of Object.entries(shape)) {
        const path = prefix === '' ? key : `${prefix}.${key}`;
        if (seen.has(path)) continue;
        seen.add(path);
        paths.push(path);
        walk(child, path);
      }
    }
  };
  walk(ConfigSchema, '');
  // A field that appears in two union branches (`target.auth.type`) is listed once.
  return [...new Set(paths)];
}

/**
 * The keys allowed in the object at `path` of the configuration (all union branches together),
 * or `undefined` when `path` is not an object with known keys.
 *
 * @example
 * ```ts
 * knownKeysAt(['source', 'users']); // ['baseDn', 'scope', 'filter', ...]
 * ```
 */
export function knownKeysAt(path: readonly PropertyKey[]): string[] | undefined {
  let schemas: unknown[] = [ConfigSchema];
  for (const segment of path) {
    if (typeof segment !== 'string') return undefined;
    schemas = schemas.flatMap((schema) =>
      shapesOf(schema).flatMap((shape) => (segment in shape ? [shape[segment]] : [])),
    );
    if (schemas.length === 0) return undefined;
  }
  const keys = new Set(schemas.flatMap((schema) => shapesOf(schema).flatMap((shape) => Object.keys(shape))));
  return keys.size === 0 ? undefined : [...keys];
}
