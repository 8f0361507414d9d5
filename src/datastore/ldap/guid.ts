/**
 * Active Directory GUIDs (objectGUID and other GUID-valued attributes): 16 bytes on the wire,
 * whose first three fields are little-endian, rendered in the canonical string form
 * `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` that Windows tools and `<GUID=...>` DNs use.
 *
 * @module
 */

const GUID_TEXT = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

/**
 * Renders 16 GUID bytes as AD's canonical string (lower case).
 *
 * @example
 * ```ts
 * formatGuid(Buffer.from('ff19966f868b11d0b42d00c04fc964ff', 'hex'))  // '6f9619ff-8b86-d011-b42d-00c04fc964ff'
 * ```
 */
export function formatGuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`A GUID has 16 bytes, not ${bytes.length}`);
  const hex = Buffer.from(bytes).toString('hex');
  const byteAt = (index: number): string => hex.slice(index * 2, index * 2 + 2);
  const reversed = (from: number, count: number): string =>
    Array.from({ length: count }, (_, offset) => byteAt(from + count - 1 - offset)).join('');
  return [reversed(0, 4), reversed(4, 2), reversed(6, 2), hex.slice(16, 20), hex.slice(20)].join('-');
}

/** Parses a GUID string (with or without braces) into the 16 bytes AD stores; `undefined` when it is not one. */
export function parseGuid(text: string): Buffer | undefined {
  const match = GUID_TEXT.exec(text.trim());
  if (match === null) return undefined;
  const [, first = '', second = '', third = '', fourth = '', fifth = ''] = match;
  const swap = (hex: string): string => (hex.match(/../g) ?? []).reverse().join('');
  return Buffer.from(swap(first) + swap(second) + swap(third) + fourth + fifth, 'hex');
}
