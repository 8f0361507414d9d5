/**
 * Just enough of Source Map v3 to turn a position in a bundle back into `file:line`: the Base64
 * VLQ `mappings` decoded into per-line segments, and a lookup. Used to read CPU profiles of the
 * bundled benchmarks (see `bench/profile.ts`) without a dependency.
 */

/** A position in an original source. */
export interface OriginalPosition {
  /** The source path as the map names it (resolved against the map's folder by the caller). */
  readonly source: string;
  /** 1-based line. */
  readonly line: number;
  /** 0-based column. */
  readonly column: number;
}

/** The fields of a source map this reader uses. */
export interface RawSourceMap {
  readonly sources: readonly string[];
  readonly mappings: string;
  readonly sourceRoot?: string;
}

/** Per generated line, segments `[generatedColumn, sourceIndex, sourceLine, sourceColumn]`, sorted by column. */
type Segment = readonly [number, number, number, number];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((character, index) => [character, index]));

/** Decodes one segment's Base64 VLQ numbers. */
function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const character of text) {
    const digit = DIGIT.get(character);
    if (digit === undefined)
      throw new SyntaxError(`source map: bad VLQ character ${JSON.stringify(character)}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

/**
 * A decoded source map.
 *
 * @example
 * ```ts
 * const map = new SourceMapReader(JSON.parse(readFileSync('bundle.mjs.map', 'utf8')));
 * map.originalPosition(120, 14); // { source: '../../src/engine/apply.ts', line: 301, column: 6 }
 * ```
 */
export class SourceMapReader {
  private readonly sources: readonly string[];
  private readonly lines: Segment[][] = [];

  constructor(map: RawSourceMap) {
    const root = map.sourceRoot ?? '';
    this.sources = map.sources.map((source) =>
      root === '' ? source : `${root.replace(/\/?$/, '/')}${source}`,
    );
    let sourceIndex = 0;
    let sourceLine = 0;
    let sourceColumn = 0;
    for (const lineText of map.mappings.split(';')) {
      const segments: Segment[] = [];
      let generatedColumn = 0;
      if (lineText !== '') {
        for (const segmentText of lineText.split(',')) {
          if (segmentText === '') continue;
          const values = decodeVlq(segmentText);
          generatedColumn += values[0] ?? 0;
          if (values.length >= 4) {
            sourceIndex += values[1] ?? 0;
            sourceLine += values[2] ?? 0;
            sourceColumn += values[3] ?? 0;
            segments.push([generatedColumn, sourceIndex, sourceLine, sourceColumn]);
          }
        }
      }
      this.lines.push(segments);
    }
  }

  /** The original position of a 0-based generated line and column, or `undefined` when unmapped. */
  originalPosition(line: number, column: number): OriginalPosition | undefined {
    const segments = this.lines[line];
    if (segments === undefined || segments.length === 0) return undefined;
    let low = 0;
    let high = segments.length - 1;
    let found: Segment | undefined;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const segment = segments[middle] as Segment;
      if (segment[0] <= column) {
        found = segment;
        low = middle + 1;
      } else high = middle - 1;
    }
    found ??= segments[0];
    if (found === undefined) return undefined;
    const source = this.sources[found[1]];
    return source === undefined ? undefined : { source, line: found[2] + 1, column: found[3] };
  }
}
