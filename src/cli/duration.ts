/**
 * Durations on the command line: `90s`, `15m`, `1h`, `1h30m`, `500ms`; a bare number is seconds.
 *
 * @module
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration; `undefined` when the text is not one.
 *
 * @example
 * ```ts
 * parseDuration('60s');   // 60000
 * parseDuration('1h30m'); // 5400000
 * parseDuration('45');    // 45000
 * ```
 * @unit the result is in milliseconds
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000);
  }
  return Math.round(total);
}

/** `15 min`, `1 h 30 min`, `45 s`: a duration for people. */
export function describeDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${milliseconds} ms`;
  const parts: string[] = [];
  let seconds = Math.round(milliseconds / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (hours > 0) parts.push(`${hours} h`);
  if (minutes > 0) parts.push(`${minutes} min`);
  if (seconds > 0) parts.push(`${seconds} s`);
  return parts.join(' ');
}
