import type { AttributeValue, SourceAttributes } from '../types';
import { formatGuid } from './guid';
import { formatSid } from './sid';
import type { LdapRawAttribute } from './transport';

/** Attributes holding an AD GUID (16 bytes), rendered as `6f9619ff-8b86-d011-b42d-00c04fc964ff`. */
const GUID_ATTRIBUTES = new Set(['objectguid', 'ms-ds-consistencyguid', 'msexchmailboxguid', 'invocationid']);
/** Attributes holding Windows SIDs, rendered as `S-1-5-21-...`. */
const SID_ATTRIBUTES = new Set(['objectsid', 'sidhistory', 'tokengroups', 'securityidentifier']);
/** Attributes that are binary even when their bytes happen to be valid UTF-8. */
const BINARY_ATTRIBUTES = new Set([
  'jpegphoto',
  'thumbnailphoto',
  'photo',
  'audio',
  'usercertificate',
  'cacertificate',
  'usersmimecertificate',
  'userpkcs12',
  'msexchblockedsendershash',
  'msexchsafesendershash',
  'ms-ds-creatorsid',
  'logonhours',
  'ntsecuritydescriptor',
]);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The attribute name without options (`userCertificate;binary` gives `usercertificate`), lower-cased. */
export function baseAttributeName(type: string): string {
  const semicolon = type.indexOf(';');
  return (semicolon === -1 ? type : type.slice(0, semicolon)).toLowerCase();
}

/** True when `type` names an attribute whose values are AD GUIDs. */
export function isGuidAttribute(type: string): boolean {
  return GUID_ATTRIBUTES.has(baseAttributeName(type));
}

/**
 * Turns an attribute's raw values into an {@link AttributeValue}: GUIDs and SIDs in their string
 * forms, known binary attributes (and those in `binary`) as Buffers, other values as strings
 * when every one is UTF-8 (as Buffers otherwise). One value gives a scalar, several an array.
 */
export function normalizeAttributeValues(
  type: string,
  values: readonly Buffer[],
  binary: ReadonlySet<string> = new Set(),
): AttributeValue {
  const name = baseAttributeName(type);
  const texts = GUID_ATTRIBUTES.has(name)
    ? values.map((value) => (value.length === 16 ? formatGuid(value) : undefined))
    : SID_ATTRIBUTES.has(name)
      ? values.map((value) => formatSid(value))
      : BINARY_ATTRIBUTES.has(name) || binary.has(name) || type.toLowerCase().endsWith(';binary')
        ? values.map(() => undefined)
        : values.map(decodeUtf8);
  if (texts.every((text): text is string => text !== undefined)) {
    return texts.length === 1 && texts[0] !== undefined ? texts[0] : texts;
  }
  const copies = values.map((value) => Buffer.from(value));
  return copies.length === 1 && copies[0] !== undefined ? copies[0] : copies;
}

/** The value as text when it is valid UTF-8, `undefined` otherwise. */
export function decodeUtf8(value: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(value);
  } catch {
    return undefined;
  }
}

/**
 * Prepares, for many entries, the building of a source object's attributes from an entry: every
 * attribute the server returned when `wanted` is undefined or contains `*`; otherwise those named
 * in `wanted`, under the name as written there (`givenname` asked, `givenName` returned: the key
 * is `givenname`).
 */
export function attributeCollector(
  wanted: readonly string[] | undefined,
  binary: ReadonlySet<string>,
): (raw: readonly LdapRawAttribute[]) => SourceAttributes {
  const byName = new Map<string, string>();
  const all = wanted === undefined || wanted.includes('*');
  for (const name of wanted ?? []) if (name !== '*' && name !== '+') byName.set(name.toLowerCase(), name);
  return (raw) => {
    const attributes: Record<string, AttributeValue> = {};
    for (const attribute of raw) {
      if (attribute.values.length === 0) continue;
      const key = byName.get(attribute.type.toLowerCase()) ?? (all ? attribute.type : undefined);
      if (key !== undefined)
        attributes[key] = normalizeAttributeValues(attribute.type, attribute.values, binary);
    }
    return attributes;
  };
}
