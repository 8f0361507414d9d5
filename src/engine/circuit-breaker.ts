/**
 * The circuit breaker of a cycle: when most operations fail the same systemic way (credentials
 * refused, TLS, DNS, connection refused, timeouts), the cycle stops instead of sending every
 * remaining request to a target that refuses them all.
 *
 * @module
 */
import { classifyFailure, type SystemicFailure } from './failure-class';

/** Systemic failures needed before the breaker may open. */
export const BREAKER_MIN_FAILURES = 3;
/** Systemic failures of one kind in a row that open the breaker whatever succeeded before. */
export const BREAKER_CONSECUTIVE_FAILURES = 5;

/** Why the breaker opened: the kind, and the first error of that kind. */
export interface BreakerTrip {
  readonly kind: SystemicFailure;
  readonly cause: unknown;
}

/**
 * Counts a cycle's operation outcomes. It opens when one systemic kind has failed at least
 * {@link BREAKER_MIN_FAILURES} times and accounts for more than half of the operations finished,
 * or has failed {@link BREAKER_CONSECUTIVE_FAILURES} times in a row. Failures that concern one
 * object (400, 404, 409, validation) never open it.
 */
export class CircuitBreaker {
  private finished = 0;
  private readonly failures = new Map<SystemicFailure, { count: number; first: unknown }>();
  private streakKind: SystemicFailure | undefined;
  private streak = 0;
  /** Operations started so far ({@link CircuitBreaker.begin}). */
  private started = 0;
  /** {@link CircuitBreaker.started} when the latest systemic failure was recorded. */
  private startedAtLastFailure = 0;
  /** Set once the breaker has opened. */
  trip: BreakerTrip | undefined;

  /**
   * Notes that an operation starts; pass what it returns to {@link CircuitBreaker.success}.
   */
  begin(): number {
    this.started += 1;
    return this.started;
  }

  /**
   * Records a success. Only an operation that started after the latest systemic failure ends the
   * streak: one that was already in flight (its request sent before the credentials were revoked,
   * say) says nothing about the target now, and letting it reset the streak let a revoked token
   * cost a few more failed requests per success in flight.
   *
   * @param ticket - what {@link CircuitBreaker.begin} returned for the operation; without it the
   *   success ends the streak.
   */
  success(ticket?: number): void {
    this.finished += 1;
    if (ticket !== undefined && ticket <= this.startedAtLastFailure) return;
    this.streak = 0;
    this.streakKind = undefined;
  }

  /** Records a failure; returns the trip when this failure opened the breaker. */
  failure(error: unknown): BreakerTrip | undefined {
    this.finished += 1;
    const kind = classifyFailure(error);
    if (kind === undefined) {
      this.streak = 0;
      this.streakKind = undefined;
      return undefined;
    }
    this.startedAtLastFailure = this.started;
    const entry = this.failures.get(kind) ?? { count: 0, first: error };
    entry.count += 1;
    this.failures.set(kind, entry);
    this.streak = this.streakKind === kind ? this.streak + 1 : 1;
    this.streakKind = kind;
    if (this.trip !== undefined) return undefined;
    const majority = entry.count >= BREAKER_MIN_FAILURES && entry.count * 2 > this.finished;
    if (majority || this.streak >= BREAKER_CONSECUTIVE_FAILURES) {
      this.trip = { kind, cause: entry.first };
      return this.trip;
    }
    return undefined;
  }
}
