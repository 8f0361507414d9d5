import { createHash, type Hash } from 'node:crypto';

/** Characters of a {@link stableHash}: 16 base64url characters, 96 bits of SHA-256. */
export const STABLE_HASH_LENGTH = 16;

/**
 * A short, deterministic hash of a JSON-like value, for telling whether mapped attributes changed.
 *
 * - object keys are taken in sorted order, so `{ a, b }` and `{ b, a }` hash alike; keys whose
 *   value is `undefined` are skipped (as JSON would);
 * - every value is written with its type and length, so `"1"` and `1`, `["a,b"]` and `["a", "b"]`
 *   hash differently;
 * - a `Buffer` (or any `Uint8Array`) is hashed by its bytes;
 * - the result is SHA-256, base64url, truncated to {@link STABLE_HASH_LENGTH} characters: 96 bits,
 *   far beyond any chance of two different values colliding in one directory.
 *
 * @throws TypeError for values JSON cannot represent (functions, symbols, bigints, non-finite numbers).
 * @example
 * ```ts
 * stableHash({ userName: 'bjensen', title: 'Tour Guide' }) === stableHash({ title: 'Tour Guide', userName: 'bjensen' }); // true
 * ```
 */
export function stableHash(value: unknown): string {
  const hash = createHash('sha256');
  feed(hash, value, 0);
  return hash.digest('base64url').slice(0, STABLE_HASH_LENGTH);
}

/** Deeper than any mapped resource; a guard against self-referencing input. */
const MAX_DEPTH = 32;

function feed(hash: Hash, value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new TypeError('stableHash: value is nested too deeply (a cycle?)');
  if (value === null || value === undefined) {
    hash.update('n;');
  } else if (typeof value === 'boolean') {
    hash.update(value ? 't;' : 'f;');
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('stableHash: numbers must be finite');
    hash.update(`d${Object.is(value, -0) ? 0 : value};`);
  } else if (typeof value === 'string') {
    hash.update(`s${Buffer.byteLength(value, 'utf8')}:`);
    hash.update(value, 'utf8');
  } else if (value instanceof Uint8Array) {
    hash.update(`b${value.byteLength}:`);
    hash.update(value);
  } else if (Array.isArray(value)) {
    hash.update(`a${value.length}:`);
    for (const item of value) feed(hash, item, depth + 1);
  } else if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    hash.update(`o${keys.length}:`);
    for (const key of keys) {
      feed(hash, key, depth + 1);
      feed(hash, record[key], depth + 1);
    }
  } else {
    throw new TypeError(`stableHash: cannot hash a ${typeof value}`);
  }
}
