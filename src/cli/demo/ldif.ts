/**
 * A reader for LDIF content records (RFC 2849): what the demo directory is seeded from.
 *
 * @module
 */

/** One entry of an LDIF file: its DN and its attribute values, in file order. */
export interface LdifRecord {
  readonly dn: string;
  /** Values by attribute name as the file spells it; several lines of one attribute give several values. */
  readonly attributes: ReadonlyMap<string, readonly string[]>;
}

/**
 * Parses LDIF content records: `dn:` first, then `name: value` or `name:: base64` lines, records
 * separated by blank lines, folded lines (a continuation starts with one space) and `#` comments
 * allowed. Change records (`changetype:`) and URL values (`name:< file://…`) are refused, since the
 * demo directory only loads content.
 *
 * @throws Error naming the line at fault.
 * @example
 * ```ts
 * const [record] = parseLdif('dn: uid=ada,ou=people,dc=example\nuid: ada\ncn: Ada Lovelace\n');
 * record.attributes.get('cn'); // ['Ada Lovelace']
 * ```
 */
export function parseLdif(text: string): LdifRecord[] {
  const records: LdifRecord[] = [];
  let current: { dn: string; attributes: Map<string, string[]> } | undefined;
  const lines = unfold(text);
  for (const { text: line, number } of lines) {
    if (line === '') {
      if (current !== undefined) records.push(current);
      current = undefined;
      continue;
    }
    if (line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`LDIF line ${number}: expected "name: value"`);
    const name = line.slice(0, colon);
    if (name === 'version' && current === undefined) continue;
    const kind = line[colon + 1];
    if (kind === '<') throw new Error(`LDIF line ${number}: URL values are not supported`);
    const raw = line.slice(colon + (kind === ':' ? 2 : 1)).replace(/^ +/, '');
    const value = kind === ':' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (name.toLowerCase() === 'dn') {
      if (current !== undefined)
        throw new Error(`LDIF line ${number}: a new dn without a blank line before it`);
      current = { dn: value, attributes: new Map() };
      continue;
    }
    if (current === undefined) throw new Error(`LDIF line ${number}: an attribute before any dn`);
    if (name.toLowerCase() === 'changetype') {
      throw new Error(`LDIF line ${number}: change records are not supported, only entries`);
    }
    const values = current.attributes.get(name);
    if (values === undefined) current.attributes.set(name, [value]);
    else values.push(value);
  }
  if (current !== undefined) records.push(current);
  return records;
}

/** Joins folded lines; keeps the number of each logical line's first physical line. */
function unfold(text: string): Array<{ text: string; number: number }> {
  const lines: Array<{ text: string; number: number }> = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const last = lines[lines.length - 1];
    if (line.startsWith(' ') && last !== undefined && last.text !== '') last.text += line.slice(1);
    else lines.push({ text: line, number: index + 1 });
  });
  return lines;
}
