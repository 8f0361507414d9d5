import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STABLE_HASH_LENGTH, stableHash } from '../../../src/engine/mapping/hash';

describe('stableHash', () => {
  it('ignores key order at every level', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(stableHash({ outer: reversed })).toBe(stableHash({ outer: record }));
      }),
    );
  });

  it('gives different values different hashes, types and boundaries included', () => {
    const values: unknown[] = [
      '1',
      1,
      true,
      'true',
      null,
      [],
      {},
      ['a,b'],
      ['a', 'b'],
      { a: 'b' },
      { ab: '' },
      Buffer.from('1'),
      '',
    ];
    const hashes = new Set(values.map(stableHash));
    expect(hashes.size).toBe(values.length);
  });

  it('hashes a Buffer by its bytes', () => {
    expect(stableHash(Buffer.from([1, 2, 3]))).toBe(stableHash(new Uint8Array([1, 2, 3])));
    expect(stableHash(Buffer.from([1, 2, 3]))).not.toBe(stableHash(Buffer.from([1, 2, 4])));
  });

  it('is short, URL-safe and the same on every run', () => {
    const hash = stableHash({ userName: 'bjensen', emails: ['a@example.com'] });
    expect(hash).toMatch(new RegExp(`^[A-Za-z0-9_-]{${STABLE_HASH_LENGTH}}$`));
    expect(stableHash({ emails: ['a@example.com'], userName: 'bjensen' })).toBe(hash);
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => stableHash({ a: Number.NaN })).toThrow(TypeError);
    expect(() => stableHash({ a: () => 1 })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => stableHash(cyclic)).toThrow(/deeply/);
  });
});
