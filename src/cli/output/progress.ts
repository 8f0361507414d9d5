/**
 * Progress of a cycle on stderr: a bar redrawn in place on a terminal (phase, done/total, rate,
 * ETA), plain time-stamped lines elsewhere (a phase's start and end, and every few seconds in
 * between), so that a cron log stays readable.
 *
 * @module
 */
import type { CyclePhase, ProgressEvent } from '../../engine/events';
import type { CliStream } from '../io';
import type { Redactor } from './redactor';
import type { Style } from './style';

/** What a phase is called on screen. */
const PHASE_LABELS: Readonly<Record<CyclePhase, string>> = {
  read: 'reading the directory',
  match: 'finding existing accounts',
  users: 'users',
  groups: 'groups',
  memberships: 'memberships',
  removals: 'removals',
};

const BAR_WIDTH = 24;
/** Least time between two redraws of the bar. @unit ms */
const REDRAW_INTERVAL = 80;
/** Least time between two plain lines of one phase. @unit ms */
const LINE_INTERVAL = 5000;

/** Options of {@link ProgressReporter}. */
export interface ProgressOptions {
  /** Draw a bar in place (a terminal) rather than lines. */
  readonly interactive: boolean;
  readonly style: Style;
  readonly redactor: Redactor;
  /** @default Date.now */
  readonly now?: () => number;
}

interface PhaseState {
  readonly phase: CyclePhase;
  readonly startedAt: number;
  /** When the phase reached its total (the read phase: when it reported its count). */
  finishedAt: number | undefined;
  done: number;
  total: number;
  lastDrawn: number;
}

/**
 * Shows the engine's `progress` events.
 *
 * @example
 * ```ts
 * const progress = new ProgressReporter(io.stderr, { interactive: io.stderr.isTTY === true, style, redactor });
 * engine.on('progress', (event) => progress.update(event));
 * const report = await engine.sync();
 * progress.end();
 * ```
 */
export class ProgressReporter {
  readonly #stream: CliStream;
  readonly #options: ProgressOptions;
  readonly #now: () => number;
  #current: PhaseState | undefined;
  #lineShown = false;

  constructor(stream: CliStream, options: ProgressOptions) {
    this.#stream = stream;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Takes one `progress` event. */
  update(event: ProgressEvent): void {
    const now = this.#now();
    if (this.#current?.phase !== event.phase) {
      // The engine moved on, so the previous phase is done (some phases report only their start).
      const previous = this.#current;
      if (previous !== undefined && previous.finishedAt === undefined) {
        previous.finishedAt = now;
        previous.done = previous.total;
      }
      this.#finishPhase();
      this.#current = {
        phase: event.phase,
        startedAt: now,
        finishedAt: undefined,
        done: 0,
        total: 0,
        lastDrawn: now,
      };
      if (!this.#options.interactive && event.phase !== 'read') {
        this.#line(`${PHASE_LABELS[event.phase]}: ${event.total} to do`);
      }
    }
    const state = this.#current;
    if (state === undefined) return;
    state.done = event.done;
    state.total = event.total;
    const finished = event.total > 0 && event.done >= event.total;
    if (finished) state.finishedAt ??= now;
    if (this.#options.interactive) {
      if (finished || now - state.lastDrawn >= REDRAW_INTERVAL) {
        state.lastDrawn = now;
        this.#draw(state, now);
      }
    } else if (!finished && event.done > 0 && now - state.lastDrawn >= LINE_INTERVAL) {
      state.lastDrawn = now;
      this.#line(`${PHASE_LABELS[state.phase]}: ${this.#figures(state, now)}`);
    }
  }

  /** Ends the current phase's display (call when the cycle ends, before printing anything else). */
  end(): void {
    this.#finishPhase();
    this.#current = undefined;
  }

  /** Writes a message on its own line without breaking the bar. */
  note(message: string): void {
    this.#clear();
    this.#stream.write(`${this.#options.redactor.text(message)}\n`);
    if (this.#current !== undefined && this.#options.interactive) this.#draw(this.#current, this.#now());
  }

  // ----------------------------------------------------------------------------------------------

  #finishPhase(): void {
    const state = this.#current;
    if (state === undefined) return;
    const finished = state.finishedAt !== undefined;
    const end = state.finishedAt ?? this.#now();
    const seconds = formatSeconds(end - state.startedAt);
    const { style } = this.#options;
    let summary: string;
    if (!finished) {
      summary = `${PHASE_LABELS[state.phase]}: stopped at ${state.done}/${state.total}`;
    } else if (state.phase === 'read') {
      summary = `${PHASE_LABELS.read}: ${state.total} ${state.total === 1 ? 'object' : 'objects'} in ${seconds}`;
    } else {
      summary = `${PHASE_LABELS[state.phase]}: ${state.done}/${state.total} in ${seconds}${rateText(state, end)}`;
    }
    if (this.#options.interactive) {
      this.#clear();
      this.#stream.write(`${finished ? style.ok : style.fail} ${summary}\n`);
    } else {
      this.#line(summary);
    }
  }

  #draw(state: PhaseState, now: number): void {
    const { style } = this.#options;
    const columns = this.#stream.columns ?? 100;
    const label = PHASE_LABELS[state.phase].padEnd(22);
    let text: string;
    if (state.total === 0) {
      text = `${style.cyan('…')} ${label}`;
    } else {
      const ratio = Math.min(1, state.done / state.total);
      const filled = Math.round(ratio * BAR_WIDTH);
      const bar = style.green('█'.repeat(filled)) + style.dim('░'.repeat(BAR_WIDTH - filled));
      text = `${style.cyan('…')} ${label} ${bar} ${this.#figures(state, now)}`;
    }
    this.#stream.write(`\r\u001b[2K${truncate(text, columns - 1)}`);
    this.#lineShown = true;
  }

  #figures(state: PhaseState, now: number): string {
    const percent = state.total === 0 ? 0 : Math.floor((state.done / state.total) * 100);
    const elapsed = Math.max(1, now - state.startedAt);
    const rate = (state.done / elapsed) * 1000;
    const remaining = state.total - state.done;
    const eta = rate > 0 && remaining > 0 ? `  ETA ${formatSeconds((remaining / rate) * 1000)}` : '';
    const rateShown = state.done > 0 ? `  ${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s` : '';
    return `${state.done}/${state.total}  ${percent}%${rateShown}${eta}`;
  }

  #clear(): void {
    if (this.#lineShown) this.#stream.write('\r\u001b[2K');
    this.#lineShown = false;
  }

  #line(message: string): void {
    const time = new Date(this.#now()).toISOString().slice(11, 19);
    this.#stream.write(`[${time}] ${this.#options.redactor.text(message)}\n`);
  }
}

function rateText(state: PhaseState, now: number): string {
  const elapsed = now - state.startedAt;
  if (state.done === 0 || elapsed < 1000) return '';
  return ` (${Math.round((state.done / elapsed) * 1000)}/s)`;
}

/** `0.4 s`, `12 s`, `3 min 5 s`. */
export function formatSeconds(milliseconds: number): string {
  const seconds = milliseconds / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

function truncate(text: string, width: number): string {
  // Escape sequences make the visible width smaller than the length; only cut plain text.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: counting terminal escape sequences
  const visible = text.replace(/\u001b\[[0-9;]*m/g, '');
  return visible.length <= width ? text : visible.slice(0, Math.max(0, width));
}
