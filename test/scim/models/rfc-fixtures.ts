import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../../fixtures/rfc7643/', import.meta.url);

/** A fresh copy of a JSON fixture of test/fixtures/rfc7643/ (each call parses the file again). */
export function loadFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
}

/** A fixture that holds a JSON array, as an array of fresh copies. */
export function loadFixtureArray(name: string): unknown[] {
  const value = loadFixture(name);
  if (!Array.isArray(value)) throw new Error(`${name} does not hold an array`);
  return value;
}

/** A JSON round trip, as a document takes over the wire. */
export function throughJson<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value));
}
