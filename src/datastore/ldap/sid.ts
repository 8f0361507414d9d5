/**
 * Windows security identifiers (objectSid, sIDHistory, tokenGroups): binary on the wire,
 * rendered as `S-1-5-21-<domain>-<rid>`.
 *
 * Layout: revision (1 byte), number of sub-authorities (1 byte), identifier authority (6 bytes,
 * big-endian), then each sub-authority (4 bytes, little-endian).
 *
 * @module
 */

/**
 * Renders a binary SID in its string form; `undefined` when the bytes are not a well-formed SID.
 *
 * @example
 * ```ts
 * formatSid(objectSidBytes)  // 'S-1-5-21-3623811015-3361044348-30300820-1013'
 * ```
 */
export function formatSid(bytes: Uint8Array): string | undefined {
  const buffer = Buffer.from(bytes);
  if (buffer.length < 8) return undefined;
  const revision = buffer.readUInt8(0);
  const count = buffer.readUInt8(1);
  if (buffer.length !== 8 + count * 4) return undefined;
  const authority = buffer.readUIntBE(2, 6);
  const parts = [`S-${revision}-${authority}`];
  for (let index = 0; index < count; index += 1) parts.push(String(buffer.readUInt32LE(8 + index * 4)));
  return parts.join('-');
}

/** Parses a SID string into its binary form; `undefined` when it is not one. */
export function parseSid(text: string): Buffer | undefined {
  const match = /^S-(\d+)-(\d+)((?:-\d+)*)$/i.exec(text.trim());
  if (match === null) return undefined;
  const revision = Number(match[1]);
  const authority = Number(match[2]);
  const subs = (match[3] ?? '')
    .split('-')
    .filter((part) => part !== '')
    .map(Number);
  if (
    revision > 255 ||
    authority > 0xffffffffffff ||
    subs.length > 15 ||
    subs.some((sub) => sub > 0xffffffff)
  ) {
    return undefined;
  }
  const buffer = Buffer.alloc(8 + subs.length * 4);
  buffer.writeUInt8(revision, 0);
  buffer.writeUInt8(subs.length, 1);
  buffer.writeUIntBE(authority, 2, 6);
  subs.forEach((sub, index) => {
    buffer.writeUInt32LE(sub, 8 + index * 4);
  });
  return buffer;
}
