/**
 * What the engine stores as the state's watermark: the datastore's own watermark, together with a
 * fingerprint of the options that decide what is written (mappings, on/off options, remove action,
 * match rule). A watermark stored under other options is not used: the next cycle is a full one,
 * so that a change of mapping or a toggle turned back on reaches every object, not only the ones
 * that change in the source afterwards.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Watermark } from '../datastore/types';

/** The stored form. */
interface StoredWatermark {
  readonly engine: 1;
  readonly config: string;
  readonly source: Watermark;
  /**
   * When the cycle that read up to `source` completed (the engine's clock, epoch milliseconds).
   * A user created after it was created by a cycle that did not complete.
   */
  readonly recordedAt?: number;
}

/** A fingerprint of the options that decide what a cycle writes. Functions count by their source text. */
export function configFingerprint(settings: unknown): string {
  const text = JSON.stringify(settings, (_key, value: unknown) =>
    typeof value === 'function' ? `function:${String(value)}` : value,
  );
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/** The datastore watermark to read from, or `undefined` (a full read) when none was stored under these options. */
export function sourceWatermark(stored: unknown, fingerprint: string): Watermark | undefined {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return undefined;
  const candidate = stored as Partial<StoredWatermark>;
  if (candidate.engine !== 1 || candidate.config !== fingerprint || candidate.source === undefined)
    return undefined;
  return candidate.source;
}

/** The value to store for a datastore watermark read under these options, by a cycle completed at `recordedAt`. */
export function storedWatermark(source: Watermark, fingerprint: string, recordedAt: number): unknown {
  const stored: StoredWatermark = { engine: 1, config: fingerprint, source, recordedAt };
  return stored;
}

/** True when two stored watermarks read up to the same point under the same options (`recordedAt` aside). */
export function sameWatermark(a: unknown, b: unknown): boolean {
  const strip = (value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const { recordedAt: _recordedAt, ...rest } = value as StoredWatermark;
    return rest;
  };
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/**
 * When the stored watermark was recorded, or `undefined` when it was not (none stored, another
 * engine's options, or stored by a release that did not record it).
 */
export function watermarkRecordedAt(stored: unknown, fingerprint: string): number | undefined {
  if (sourceWatermark(stored, fingerprint) === undefined) return undefined;
  const recordedAt = (stored as StoredWatermark).recordedAt;
  return typeof recordedAt === 'number' && Number.isFinite(recordedAt) ? recordedAt : undefined;
}
