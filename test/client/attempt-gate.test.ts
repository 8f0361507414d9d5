import { afterEach, describe, expect, it, vi } from 'vitest';
import { AttemptGate } from '../../src/client/attempt-gate';

afterEach(() => {
  vi.useRealTimers();
});

describe('AttemptGate', () => {
  it('cuts at the attempt timeout when it comes before the deadline', () => {
    vi.useFakeTimers();
    const gate = new AttemptGate(undefined, Date.now() + 10_000);
    gate.startAttempt(100);
    vi.advanceTimersByTime(99);
    expect(gate.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(gate.cut).toBe('timeout');
    expect(gate.signal.aborted).toBe(true);
  });

  it('cuts at the deadline when it comes before the attempt timeout, also while waiting for a slot', () => {
    vi.useFakeTimers();
    const waiting = new AttemptGate(undefined, Date.now() + 50);
    vi.advanceTimersByTime(50);
    expect(waiting.cut).toBe('deadline');

    const sending = new AttemptGate(undefined, Date.now() + 50);
    sending.startAttempt(1_000);
    vi.advanceTimersByTime(50);
    expect(sending.cut).toBe('deadline');
  });

  it("passes the caller's reason on, and is cut at once by a signal that already aborted", () => {
    const controller = new AbortController();
    const gate = new AttemptGate(controller.signal, Date.now() + 10_000);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(gate.cut).toBe('caller');
    expect(gate.signal.reason).toBe(reason);
    gate.dispose();

    const late = new AttemptGate(controller.signal, Date.now() + 10_000);
    expect(late.cut).toBe('caller');
  });

  it('after dispose, neither its timer nor the caller abort it', () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const gate = new AttemptGate(controller.signal, Date.now() + 100);
    gate.startAttempt(10);
    gate.dispose();
    vi.advanceTimersByTime(1_000);
    controller.abort();
    expect(gate.signal.aborted).toBe(false);
  });
});
