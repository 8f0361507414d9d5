/**
 * The cancellation of one attempt: one AbortController, one timer, and a listener on the caller's
 * signal when there is one. It replaces a controller for the call's deadline, one for the attempt
 * and two linked ones per request, which the profile of issue 8 showed at ~4 % of the engine's CPU.
 */

/** Why an attempt was cut: the caller's signal, the call's deadline, or the attempt's own timeout. */
export type AttemptCut = 'caller' | 'deadline' | 'timeout';

/**
 * Aborts {@link AttemptGate.signal} when the caller's signal aborts, when the call's deadline
 * passes, or (after {@link AttemptGate.startAttempt}) when the attempt's timeout passes.
 * {@link AttemptGate.cut} tells which came first. Call {@link AttemptGate.dispose} when the
 * attempt is over.
 */
export class AttemptGate {
  /** What the limiter wait and the transport listen to. */
  readonly signal: AbortSignal;
  /** What aborted the signal; `undefined` while it has not. */
  cut: AttemptCut | undefined;

  private readonly controller = new AbortController();
  private readonly caller: AbortSignal | undefined;
  private readonly deadlineAt: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onCallerAbort = () => this.abort('caller');

  /**
   * @param caller - the caller's signal, if any.
   * @param deadlineAt - when the whole call must end (epoch milliseconds).
   */
  constructor(caller: AbortSignal | undefined, deadlineAt: number) {
    this.signal = this.controller.signal;
    this.caller = caller;
    this.deadlineAt = deadlineAt;
    if (caller?.aborted) {
      this.abort('caller');
      return;
    }
    caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.arm(deadlineAt - Date.now(), 'deadline');
  }

  /** The attempt is on the wire: from now it is also cut at `timeoutMs` (or the deadline, if sooner). */
  startAttempt(timeoutMs: number): void {
    if (this.cut !== undefined) return;
    const untilDeadline = this.deadlineAt - Date.now();
    if (timeoutMs < untilDeadline) this.arm(timeoutMs, 'timeout');
  }

  /** Clears the timer and the listener on the caller's signal. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  private arm(delayMs: number, cut: AttemptCut): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (delayMs <= 0) {
      this.abort(cut);
      return;
    }
    this.timer = setTimeout(() => this.abort(cut), delayMs);
  }

  private abort(cut: AttemptCut): void {
    if (this.cut !== undefined) return;
    this.cut = cut;
    this.dispose();
    this.controller.abort(cut === 'caller' ? this.caller?.reason : new Error(cut));
  }
}
