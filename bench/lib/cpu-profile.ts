/**
 * Reading a V8 CPU profile (`node --cpu-prof`): self time per function, mapped back to the
 * TypeScript source through the bundle's source map, and the heaviest ones listed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceMapReader } from './source-map';

/** The parts of a `.cpuprofile` used here. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly children?: readonly number[];
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
      readonly columnNumber: number;
    };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** One function's share of the profile. */
export interface ProfileEntry {
  /** Function name (`(anonymous)`, `(garbage collector)`, `(idle)`, `(program)` included). */
  readonly name: string;
  /** `file:line`, relative to `root` when inside it; the bundle position when it cannot be mapped. */
  readonly location: string;
  /** Self time. @unit milliseconds */
  readonly selfMs: number;
  /** Self time as a share of the profile's busy time (idle excluded). @unit percent */
  readonly selfPercent: number;
}

/** What {@link summarizeCpuProfile} returns. */
export interface ProfileSummary {
  /** Profile length. @unit milliseconds */
  readonly totalMs: number;
  /** Time not idle. @unit milliseconds */
  readonly busyMs: number;
  /** The functions with the most self time. */
  readonly top: readonly ProfileEntry[];
  /**
   * The functions of this repository (`src/`) with the most total time: their own and their
   * callees', each sample counted once per function however deep the recursion.
   */
  readonly inclusive: readonly ProfileEntry[];
  /** Self time by source file (node internals and dependencies grouped by package). */
  readonly byFile: readonly {
    readonly file: string;
    readonly selfMs: number;
    readonly selfPercent: number;
  }[];
}

/**
 * Summarizes a `.cpuprofile`: self time by function (the top `limit`) and by file, positions
 * mapped through the source maps of the bundles the profile names (a `.map` next to each).
 */
export function summarizeCpuProfile(file: string, options: { root: string; limit?: number }): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const selfByNode = new Map<number, number>();
  for (let index = 0; index < profile.samples.length; index++) {
    const node = profile.samples[index] as number;
    // timeDeltas[i] is the time before sample i; attribute the next delta to this sample.
    const delta = profile.timeDeltas[index + 1] ?? 0;
    selfByNode.set(node, (selfByNode.get(node) ?? 0) + delta);
  }
  const maps = new Map<string, SourceMapReader | undefined>();
  const mapFor = (url: string): SourceMapReader | undefined => {
    if (!maps.has(url)) {
      let reader: SourceMapReader | undefined;
      try {
        const bundle = url.startsWith('file:') ? fileURLToPath(url) : url;
        reader = new SourceMapReader(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
      } catch {
        reader = undefined;
      }
      maps.set(url, reader);
    }
    return maps.get(url);
  };
  const locate = (url: string, line: number, column: number): string => {
    if (url === '') return '(native)';
    const bundle = url.startsWith('file:') ? fileURLToPath(url) : url;
    const original = mapFor(url)?.originalPosition(line, column);
    if (original === undefined) return `${shorten(bundle, options.root)}:${line + 1}`;
    const source = path.resolve(path.dirname(bundle), original.source);
    return `${shorten(source, options.root)}:${original.line}`;
  };
  const byFunction = new Map<string, { name: string; location: string; selfMs: number }>();
  const byFile = new Map<string, number>();
  let idle = 0;
  let total = 0;
  for (const node of profile.nodes) {
    const self = (selfByNode.get(node.id) ?? 0) / 1000;
    if (self === 0) continue;
    total += self;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += self;
      continue;
    }
    const location = locate(url, lineNumber, columnNumber);
    const key = `${functionName}@${location}`;
    const entry = byFunction.get(key) ?? { name: functionName || '(anonymous)', location, selfMs: 0 };
    entry.selfMs += self;
    byFunction.set(key, entry);
    const fileKey = fileGroup(location);
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + self);
  }
  const busy = total - idle;
  // Inclusive time: walk each node's ancestors once (parents from the children lists).
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  const keyOf = new Map<number, { key: string; name: string; location: string } | undefined>();
  const keyFor = (id: number) => {
    if (!keyOf.has(id)) {
      const node = nodeById.get(id);
      const frame = node?.callFrame;
      if (frame === undefined || frame.url === '') keyOf.set(id, undefined);
      else {
        const location = locate(frame.url, frame.lineNumber, frame.columnNumber);
        keyOf.set(
          id,
          location.startsWith('src/')
            ? {
                key: `${frame.functionName}@${location}`,
                name: frame.functionName || '(anonymous)',
                location,
              }
            : undefined,
        );
      }
    }
    return keyOf.get(id);
  };
  const inclusive = new Map<string, { name: string; location: string; selfMs: number }>();
  for (const [nodeId, microseconds] of selfByNode) {
    const node = nodeById.get(nodeId);
    if (node === undefined || node.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (
      let id: number | undefined = nodeId, depth = 0;
      id !== undefined && depth < 1000;
      id = parent.get(id), depth++
    ) {
      const key = keyFor(id);
      if (key === undefined || seen.has(key.key)) continue;
      seen.add(key.key);
      const entry = inclusive.get(key.key) ?? { name: key.name, location: key.location, selfMs: 0 };
      entry.selfMs += microseconds / 1000;
      inclusive.set(key.key, entry);
    }
  }
  const percent = (ms: number) => Math.round((ms / Math.max(busy, 1e-9)) * 1000) / 10;
  const top = [...byFunction.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, options.limit ?? 25)
    .map((entry) => ({ ...entry, selfMs: Math.round(entry.selfMs), selfPercent: percent(entry.selfMs) }));
  const files = [...byFile.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, options.limit ?? 25)
    .map(([name, ms]) => ({ file: name, selfMs: Math.round(ms), selfPercent: percent(ms) }));
  const inclusiveTop = [...inclusive.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, options.limit ?? 25)
    .map((entry) => ({ ...entry, selfMs: Math.round(entry.selfMs), selfPercent: percent(entry.selfMs) }));
  return {
    totalMs: Math.round(total),
    busyMs: Math.round(busy),
    top,
    inclusive: inclusiveTop,
    byFile: files,
  };
}

function shorten(file: string, root: string): string {
  const relative = path.relative(root, file);
  return relative.startsWith('..') ? file : relative;
}

/** The file part of a location, dependencies grouped by package and node internals together. */
function fileGroup(location: string): string {
  const file = location.replace(/:\d+$/, '');
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (dependency !== null) return `node_modules/${dependency[1]}`;
  if (file.startsWith('node:')) return 'node internals';
  return file;
}
