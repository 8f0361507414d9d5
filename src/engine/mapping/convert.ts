/**
 * @internal Turning one source value into a SCIM value of the attribute's type (RFC 7643 section 2.3).
 */
import type { AttributeType } from '../../scim/models/schema';
import type { MappedScalar } from './types';

/** A value between transforms: a source value, or what a custom transform returned. */
export type IntermediateValue = string | number | boolean | Buffer;

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** LDAP GeneralizedTime (RFC 4517 section 3.3.13), as Active Directory and OpenLDAP write it. */
const GENERALIZED_TIME =
  /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)$/;

/**
 * Converts `value` for an attribute of `type` (unknown when no schema describes it).
 *
 * - binary values (Buffers) become base64, the SCIM encoding of `binary`;
 * - `boolean` takes `true`/`false` in any case (LDAP writes `TRUE`) and `1`/`0`;
 * - `integer` and `decimal` take numbers and numeric text;
 * - `dateTime` takes xsd:dateTime text as is and LDAP GeneralizedTime (`20240131093000.0Z`),
 *   which becomes `2024-01-31T09:30:00.000Z`;
 * - `string` and `reference` take text, numbers and booleans (as text);
 * - an unknown type keeps text, numbers and booleans as they are.
 *
 * @returns the SCIM value, or `undefined` when `value` does not fit `type`.
 */
export function convertValue(
  value: IntermediateValue,
  type: AttributeType | undefined,
): MappedScalar | undefined {
  if (Buffer.isBuffer(value)) {
    return type === undefined || type === 'binary' || type === 'string' || type === 'reference'
      ? value.toString('base64')
      : undefined;
  }
  switch (type) {
    case undefined:
      return value;
    case 'string':
    case 'reference':
      return String(value);
    case 'binary':
      return typeof value === 'string' ? value : undefined;
    case 'boolean':
      return toBoolean(value);
    case 'integer': {
      const number = toNumber(value, /^[+-]?\d+$/);
      return number !== undefined && Number.isSafeInteger(number) ? number : undefined;
    }
    case 'decimal':
      return toNumber(value, /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/);
    case 'dateTime':
      return typeof value === 'string' ? toDateTime(value) : undefined;
    case 'complex':
      return undefined;
  }
}

function toBoolean(value: string | number | boolean): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const text = String(value).toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return undefined;
}

function toNumber(value: string | number | boolean, pattern: RegExp): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!pattern.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

function toDateTime(text: string): string | undefined {
  if (ISO_DATE_TIME.test(text)) return Number.isNaN(Date.parse(text)) ? undefined : text;
  const match = GENERALIZED_TIME.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  const millis = fraction === '' ? 0 : Math.round(Number(`0.${fraction}`) * 1000);
  const utc = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    millis,
  );
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5) || '0'));
  }
  const date = new Date(utc - offsetMinutes * 60_000);
  // Reject dates that rolled over (month 13, day 32, hour 25).
  if (Number.isNaN(date.getTime()) || Number(month) > 12 || Number(day) > 31 || Number(hour) > 23)
    return undefined;
  return date.toISOString();
}
