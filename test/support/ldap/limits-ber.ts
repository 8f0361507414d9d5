/**
 * The BER plumbing of the limits server, done by hand where ldapjs's server loses information:
 *
 * - reading TLVs, and picking the raw filter out of a SearchRequest message: ldapjs's server turns
 *   the parsed filter back into a string and parses that again without undoing the `\xx` escapes it
 *   added (`@ldapjs/messages` SearchRequest.parseToPojo), so every escaped or binary assertion value
 *   (`*`, `(`, NUL, objectGUID bytes...) reaches the handler as literal escape text;
 * - encoding a SearchResultEntry message (RFC 4511 section 4.5.2) directly: several times faster than
 *   ldapjs's SearchEntry/Attribute objects, and the DN goes out exactly as given.
 */

/** One BER element: tag, content, and the offset just past it. */
export interface Tlv {
  tag: number;
  content: Buffer;
  /** Offset just past this element in the buffer it was read from. */
  end: number;
}

/**
 * Reads the BER element starting at `offset`; `undefined` when the buffer ends before the element
 * does (more bytes needed). Throws on lengths this reader does not support.
 */
export function tryReadTlv(buffer: Buffer, offset: number): Tlv | undefined {
  const tag = buffer[offset];
  let lengthByte = buffer[offset + 1];
  if (tag === undefined || lengthByte === undefined) return undefined;
  let cursor = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) throw new Error('BER: unsupported length form');
    length = 0;
    for (let index = 0; index < count; index++) {
      lengthByte = buffer[cursor++];
      if (lengthByte === undefined) return undefined;
      length = length * 256 + lengthByte;
    }
  }
  const end = cursor + length;
  if (end > buffer.length) return undefined;
  return { tag, content: buffer.subarray(cursor, end), end };
}

/** Like {@link tryReadTlv}, but a truncated element is an error. */
export function readTlv(buffer: Buffer, offset: number): Tlv {
  const element = tryReadTlv(buffer, offset);
  if (element === undefined) throw new Error('BER: truncated element');
  return element;
}

/** Reads every element of `buffer` in order. */
export function readAllTlv(buffer: Buffer): Tlv[] {
  const items: Tlv[] = [];
  for (let offset = 0; offset < buffer.length; ) {
    const item = readTlv(buffer, offset);
    items.push(item);
    offset = item.end;
  }
  return items;
}

function readInteger(content: Buffer): number {
  let value = (content[0] ?? 0) & 0x80 ? -1 : 0;
  for (const byte of content) value = value * 256 + byte;
  return value;
}

/**
 * When `message` (one whole LDAPMessage) is a SearchRequest, returns its message id and the exact
 * BER bytes of its filter; otherwise `undefined`.
 */
export function searchRequestFilter(message: Buffer): { messageId: number; filter: Buffer } | undefined {
  const envelope = readTlv(message, 0);
  const id = readTlv(envelope.content, 0);
  const operation = readTlv(envelope.content, id.end);
  if (operation.tag !== 0x63) return undefined;
  let offset = 0;
  // baseObject, scope, derefAliases, sizeLimit, timeLimit, typesOnly, then the filter
  for (let field = 0; field < 6; field++) offset = readTlv(operation.content, offset).end;
  const filter = readTlv(operation.content, offset);
  return { messageId: readInteger(id.content), filter: operation.content.subarray(offset, filter.end) };
}

/**
 * The same LDAP message with its SearchRequest filter replaced by `(objectClass=*)`.
 *
 * ldapjs's server decodes every filter itself and, for some binary equality values (about one
 * objectGUID in five), fails and drops the connection. The limits server evaluates the raw filter
 * bytes it captured, so ldapjs only ever needs to see a harmless placeholder.
 */
export function withPlaceholderFilter(message: Buffer): Buffer {
  const envelope = readTlv(message, 0);
  const id = readTlv(envelope.content, 0);
  const operation = readTlv(envelope.content, id.end);
  if (operation.tag !== 0x63) return message;
  let offset = 0;
  for (let field = 0; field < 6; field++) offset = readTlv(operation.content, offset).end;
  const filter = readTlv(operation.content, offset);
  const placeholder = tlv(0x87, [Buffer.from('objectClass', 'utf8')]);
  const search = tlv(0x63, [
    operation.content.subarray(0, offset),
    placeholder,
    operation.content.subarray(filter.end),
  ]);
  return tlv(0x30, [envelope.content.subarray(0, id.end), search, envelope.content.subarray(operation.end)]);
}

/** One attribute of an entry to send: its (possibly ranged) name and its values. */
export interface EncodedAttribute {
  type: string;
  values: ReadonlyArray<string | Buffer>;
}

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, parts: readonly Buffer[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.length;
  const header = lengthBytes(length);
  return Buffer.concat([Buffer.from([tag]), header, ...parts], 1 + header.length + length);
}

function octetString(value: string | Buffer): Buffer {
  return tlv(0x04, [typeof value === 'string' ? Buffer.from(value, 'utf8') : value]);
}

function integer(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return tlv(0x02, [Buffer.from(bytes)]);
}

/** `LDAPMessage { messageID, SearchResultEntry { objectName, attributes } }` as bytes. */
export function encodeSearchResultEntry(
  messageId: number,
  dn: string,
  attributes: readonly EncodedAttribute[],
): Buffer {
  const attributeList = attributes.map((attribute) =>
    tlv(0x30, [octetString(attribute.type), tlv(0x31, attribute.values.map(octetString))]),
  );
  const entry = tlv(0x64, [octetString(dn), tlv(0x30, attributeList)]);
  return tlv(0x30, [integer(messageId), entry]);
}
