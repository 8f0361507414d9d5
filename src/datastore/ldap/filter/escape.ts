/**
 * Escapes a value for use inside an LDAP filter string (RFC 4515 section 3), so that it is
 * matched as it is and can never change the filter's structure.
 *
 * Escaped as `\XX`: NUL, `(`, `)`, `*`, `\`, the other control characters, and, for a Buffer,
 * every byte outside printable ASCII (so that bytes which are not UTF-8, such as a binary
 * objectGUID, are sent exactly). A string is sent as UTF-8; its non-ASCII characters are kept
 * readable.
 *
 * @example
 * ```ts
 * `(cn=${escapeFilterValue('Smith (*) \\ Jr')})`  // (cn=Smith \28\2a\29 \5c Jr)
 * `(objectGUID=${escapeFilterValue(guidBytes)})`  // (objectGUID=\ff\96\19\6f...)
 * ```
 */
export function escapeFilterValue(value: string | Uint8Array): string {
  if (typeof value === 'string') {
    let out = '';
    for (const char of value) {
      const code = char.codePointAt(0) ?? 0;
      out += needsEscape(code) ? hexEscape(code) : char;
    }
    return out;
  }
  let out = '';
  for (const byte of value) {
    out += needsEscape(byte) || byte > 0x7e ? hexEscape(byte) : String.fromCharCode(byte);
  }
  return out;
}

function needsEscape(code: number): boolean {
  return code < 0x20 || code === 0x7f || code === 0x28 || code === 0x29 || code === 0x2a || code === 0x5c;
}

function hexEscape(byte: number): string {
  return `\\${byte.toString(16).padStart(2, '0')}`;
}
