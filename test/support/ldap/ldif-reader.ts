/**
 * Reads the LDIF that `ldapsearch -LLL` prints, for assertions in tests.
 */

/** One entry as `ldapsearch` printed it. */
export interface SearchedEntry {
  /** The DN as the server returned it (servers may re-escape it, e.g. slapd writes `\2C` for `\,`). */
  dn: string;
  /** Values by attribute name (as the server spelled it), decoded as UTF-8. */
  attributes: Record<string, string[]>;
  /** The same values as bytes (use for binary attributes such as `jpegPhoto` or `objectGUID`). */
  raw: Record<string, Buffer[]>;
}

/** Parses LDIF content records (`dn:` first, `name: value` / `name:: base64`, folded lines allowed). */
export function parseLdif(text: string): SearchedEntry[] {
  const entries: SearchedEntry[] = [];
  const unfolded: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith(' ') && unfolded.length > 0) unfolded[unfolded.length - 1] += line.slice(1);
    else unfolded.push(line);
  }
  let current: SearchedEntry | undefined;
  for (const line of unfolded) {
    if (line === '') {
      current = undefined;
      continue;
    }
    if (line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    const base64 = line[colon + 1] === ':';
    const rest = line.slice(colon + (base64 ? 2 : 1)).replace(/^ +/, '');
    const bytes = base64 ? Buffer.from(rest, 'base64') : Buffer.from(rest, 'utf8');
    if (name.toLowerCase() === 'dn') {
      current = { dn: bytes.toString('utf8'), attributes: {}, raw: {} };
      entries.push(current);
      continue;
    }
    if (current === undefined) continue;
    current.attributes[name] ??= [];
    current.attributes[name].push(bytes.toString('utf8'));
    current.raw[name] ??= [];
    current.raw[name].push(bytes);
  }
  return entries;
}
