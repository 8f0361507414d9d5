/**
 * `--log-file`: one JSON object per line for each thing a cycle did to one object (and the
 * cycle's start, end, warnings, held removals and failures), appended to a file created with mode
 * `0600`. Secrets never reach it: attributes named like secrets are blanked, and every line goes
 * through the {@link Redactor}.
 *
 * @module
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { CycleStartEvent, ObjectOperationEvent } from '../../engine/events';
import type { EngineWarning, HeldRemovals } from '../../engine/operations';
import type { ProvisioningEngine } from '../../engine/ProvisioningEngine';
import type { SyncReport } from '../../engine/report';
import { redactValue } from '../../internal/redact';
import type { Redactor } from './redactor';
import { errorToJson } from './report';

/**
 * An append-only JSON-lines log of a run's operations.
 *
 * @example
 * ```ts
 * const log = await OperationLog.open('/var/log/provisioner.jsonl', redactor);
 * const detach = log.attach(engine);
 * await engine.sync();
 * detach();
 * await log.close();
 * ```
 */
export class OperationLog {
  readonly #stream: WriteStream;
  readonly #redactor: Redactor;
  readonly #now: () => number;

  private constructor(stream: WriteStream, redactor: Redactor, now: () => number) {
    this.#stream = stream;
    this.#redactor = redactor;
    this.#now = now;
  }

  /**
   * Opens (or creates, mode `0600`) `file` for appending.
   *
   * @throws Error when the file cannot be opened.
   */
  static open(file: string, redactor: Redactor, now: () => number = Date.now): Promise<OperationLog> {
    return new Promise((resolve, reject) => {
      const stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
      stream.once('open', () => resolve(new OperationLog(stream, redactor, now)));
      stream.once('error', reject);
    });
  }

  /** Appends one record, with its time. */
  write(record: Readonly<Record<string, unknown>>): void {
    const line = JSON.stringify({
      time: new Date(this.#now()).toISOString(),
      ...(redactValue(record) as object),
    });
    this.#stream.write(`${this.#redactor.text(line)}\n`);
  }

  /** Logs the engine's events until the returned function is called. */
  attach(engine: ProvisioningEngine): () => void {
    const onStart = (event: CycleStartEvent) =>
      this.write({ event: 'cycleStart', mode: event.mode, dryRun: event.dryRun });
    const onOperation = (kind: 'user' | 'group') => (event: ObjectOperationEvent) =>
      this.write({
        event: 'operation',
        kind,
        op: event.op,
        sourceId: event.sourceId,
        targetId: event.targetId ?? null,
        name: nameOf(event.after) ?? nameOf(event.before) ?? null,
        dryRun: event.dryRun,
        ...(event.after === undefined ? {} : { written: event.after }),
      });
    const onUser = onOperation('user');
    const onGroup = onOperation('group');
    const onWarning = (warning: EngineWarning) => this.write({ event: 'warning', ...warning });
    const onHeld = (held: HeldRemovals) => this.write({ event: 'removalsHeld', ...held });
    const onCycleEnd = (report: SyncReport) => {
      for (const failure of report.failures) {
        this.write({
          event: 'failure',
          kind: failure.kind,
          op: failure.op,
          sourceId: failure.sourceId,
          targetId: failure.targetId ?? null,
          error: errorToJson(failure.error),
        });
      }
      this.write({
        event: 'cycleEnd',
        mode: report.mode,
        dryRun: report.dryRun,
        durationMs: report.durationMs,
        users: report.users,
        groups: report.groups,
        failures: report.failures.length,
        held: report.held?.count ?? 0,
        requests: report.requests ?? null,
      });
    };
    const onCycleError = (error: Error) => this.write({ event: 'cycleError', error: errorToJson(error) });
    engine.on('cycleStart', onStart);
    engine.on('userOperation', onUser);
    engine.on('groupOperation', onGroup);
    engine.on('warning', onWarning);
    engine.on('removalsHeld', onHeld);
    engine.on('cycleEnd', onCycleEnd);
    engine.on('cycleError', onCycleError);
    return () => {
      engine.off('cycleStart', onStart);
      engine.off('userOperation', onUser);
      engine.off('groupOperation', onGroup);
      engine.off('warning', onWarning);
      engine.off('removalsHeld', onHeld);
      engine.off('cycleEnd', onCycleEnd);
      engine.off('cycleError', onCycleError);
    };
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => this.#stream.end(() => resolve()));
  }
}

/** The userName or displayName of a resource body. */
export function nameOf(resource: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const name = resource?.userName ?? resource?.displayName;
  return typeof name === 'string' ? name : undefined;
}
