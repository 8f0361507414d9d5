/**
 * XML parsing for SAML metadata, and nothing more: fast-xml-parser with every DTD feature off.
 * A document is refused before it is parsed when it is too large or holds a DTD; names are read
 * by local name (any prefix, or a default namespace); character references and the five predefined
 * entities are decoded here, in one pass, without recursion.
 *
 * @module
 */
import { XMLParser } from 'fast-xml-parser';
import { SamlMetadataError } from '../errors/SamlMetadataError';

/** The default size limit of a metadata document. @unit bytes */
export const DEFAULT_METADATA_MAX_BYTES = 1024 * 1024;

/** The deepest element nesting accepted (metadata needs fewer than ten levels). */
const MAX_DEPTH = 64;

/** An element as the parser gives it: attributes (`@_name`), text (`#text`, `#cdata`), children by local name. */
export interface XmlElement {
  readonly [key: string]: unknown;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  textNodeName: '#text',
  alwaysCreateTextNode: true,
  maxNestedTags: MAX_DEPTH,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

/**
 * Parses `document` into its root element, by local name.
 *
 * @throws SamlMetadataError `tooLarge`, `dtdForbidden` or `malformed`.
 */
export function parseXml(
  document: string | Uint8Array,
  maxBytes: number,
): { readonly name: string; readonly element: XmlElement } {
  const bytes = typeof document === 'string' ? Buffer.byteLength(document, 'utf8') : document.byteLength;
  if (bytes > maxBytes) {
    throw new SamlMetadataError(
      'tooLarge',
      `the document is ${bytes} bytes, more than the limit of ${maxBytes} (option maxBytes)`,
    );
  }
  const text = (typeof document === 'string' ? document : Buffer.from(document).toString('utf8')).replace(
    /^\uFEFF/,
    '',
  );
  const declaration = /<!\s*(DOCTYPE|ENTITY)/i.exec(text);
  if (declaration !== null) {
    throw new SamlMetadataError(
      'dtdForbidden',
      `the document holds a <!${(declaration[1] ?? '').toUpperCase()} declaration; DTDs and entities are never processed (metadata does not need them)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(text, true);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SamlMetadataError('malformed', `not well-formed XML (${reason})`, { cause: error });
  }
  const roots = Object.entries(isElement(parsed) ? parsed : {}).filter(([key]) => !key.startsWith('#'));
  const [first] = roots;
  const occurrences: unknown = first?.[1];
  const element = Array.isArray(occurrences) && occurrences.length === 1 ? occurrences[0] : undefined;
  if (roots.length !== 1 || first === undefined || !isElement(element)) {
    throw new SamlMetadataError(
      'malformed',
      `expected one root element, found ${roots.reduce((sum, [, value]) => sum + (Array.isArray(value) ? value.length : 0), 0)}`,
    );
  }
  return { name: first[0], element };
}

/** The child elements of `element` with local name `name`, in document order. */
export function children(element: XmlElement, name: string): XmlElement[] {
  const value = element[name];
  return Array.isArray(value) ? value.filter(isElement) : [];
}

/** The value of attribute `name` (local name), decoded; `undefined` when absent. */
export function attribute(element: XmlElement, name: string): string | undefined {
  const value = element[`@_${name}`];
  return typeof value === 'string' ? decodeXmlText(value) : undefined;
}

/** The text content of `element` (text decoded, CDATA as written), trimmed. */
export function textOf(element: XmlElement): string {
  const parts: string[] = [];
  const text = element['#text'];
  if (typeof text === 'string') parts.push(decodeXmlText(text));
  const cdata = element['#cdata'];
  if (Array.isArray(cdata)) {
    for (const item of cdata) {
      if (isElement(item) && typeof item['#text'] === 'string') parts.push(item['#text']);
      else if (typeof item === 'string') parts.push(item);
    }
  }
  return parts.join('').trim();
}

const REFERENCE = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));/g;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decodes character references (`&#233;`, `&#xE9;`) and the five predefined entities in one pass:
 * the result is never decoded again, so `&amp;lt;` gives `&lt;`. Anything else is left as written.
 */
export function decodeXmlText(value: string): string {
  return value.replace(REFERENCE, (whole, hex: string | undefined, decimal: string | undefined, named) => {
    if (typeof named === 'string') return PREDEFINED[named] ?? whole;
    const code = hex === undefined ? Number(decimal) : Number.parseInt(hex, 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function isElement(value: unknown): value is XmlElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
