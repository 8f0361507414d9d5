/**
 * LDAP GeneralizedTime (RFC 4517 section 3.3.13): `YYYYMMDDHHMMSS[.fff]Z` or with a `+hhmm`
 * offset; minutes and seconds may be left out.
 *
 * @module
 */

const GENERALIZED_TIME =
  /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)$/;

/** Parses a GeneralizedTime; `undefined` when the text is not one. */
export function parseGeneralizedTime(text: string): Date | undefined {
  const match = GENERALIZED_TIME.exec(text.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour, minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  const millis = fraction === '' ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const utc = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    millis,
  );
  if (Number.isNaN(utc)) return undefined;
  if (zone === 'Z') return new Date(utc);
  const sign = zone.startsWith('-') ? -1 : 1;
  const offsetMinutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5) || '0');
  return new Date(utc - sign * offsetMinutes * 60_000);
}

/** Formats a date as GeneralizedTime in UTC, to the second (`20240131235959Z`). */
export function formatGeneralizedTime(date: Date): string {
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return (
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    'Z'
  );
}
