/**
 * Fault injection for {@link ScimTestServer}: deterministic (seeded) failures that make a healthy
 * in-memory service behave like a congested, flaky or crashing one.
 */

/** The HTTP methods the test server answers. */
export type ScimTestServerMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Where and how often a fault is injected.
 *
 * A request is eligible when its method is in `methods` and its route template is in `paths`
 * (both default to every request). Each eligible request draws one number from the fault's own
 * seeded generator; the fault fires when the number is below `rate`. The same seed and the same
 * sequence of eligible requests always give the same faults.
 *
 * @example
 * ```ts
 * // Lose the response of every second-ish create, but only for users:
 * const lostCreates: FaultRule = { rate: 0.5, methods: ['POST'], paths: ['/Users'] };
 * ```
 */
export interface FaultRule {
  /** Probability, from 0 (never) to 1 (every eligible request). */
  readonly rate: number;
  /**
   * Only requests with one of these methods are eligible.
   * @default every method
   */
  readonly methods?: readonly ScimTestServerMethod[];
  /**
   * Only requests whose route template is listed are eligible. Templates are relative to the base
   * path: `/Users`, `/Users/:id`, `/Users/.search`, `/Groups`, `/Groups/:id`, `/Groups/.search`,
   * `/ServiceProviderConfig`, `/Schemas`, `/Schemas/:id`, `/ResourceTypes`, `/ResourceTypes/:id`.
   * @default every route
   */
  readonly paths?: readonly string[];
  /**
   * Stop injecting this fault after this many injections (e.g. `{ rate: 1, limit: 2 }` fails the
   * first two eligible requests and no more).
   * @default Infinity
   */
  readonly limit?: number;
}

/** A fault that answers with a status and, optionally, a `Retry-After` header. */
export interface RetryAfterFaultRule extends FaultRule {
  /**
   * Value of the `Retry-After` header, in seconds. Omit (on 503) to send no header.
   * @default 1 for 429, no header for 503
   */
  readonly retryAfterSeconds?: number;
}

/** A fault that delays the request before it is handled. */
export interface SlowFaultRule extends FaultRule {
  /**
   * How long to wait before handling the request, in milliseconds.
   */
  readonly delayMs: number;
}

/**
 * The faults a {@link ScimTestServer} injects. Every fault is off unless given. When several
 * would fire for one request, `slow` is applied first (the request is delayed, then goes on) and
 * then the first of `connectionReset`, `status500`, `status503`, `status429`, `lostResponse`
 * that fires decides the outcome. Each fault has its own generator derived from `seed`, so adding
 * one fault does not change when the others fire.
 *
 * @example
 * ```ts
 * const server = await ScimTestServer.start({
 *   faults: { seed: 42, status429: { rate: 0.1, retryAfterSeconds: 1 }, lostResponse: { rate: 0.2, methods: ['POST'] } },
 * });
 * ```
 */
export interface ScimTestServerFaults {
  /**
   * Seed of the generators.
   * @default 1
   */
  readonly seed?: number;
  /** Answer `429 Too Many Requests` with `Retry-After` without handling the request. */
  readonly status429?: RetryAfterFaultRule;
  /** Answer `503 Service Unavailable` (with `Retry-After` when configured) without handling the request. */
  readonly status503?: RetryAfterFaultRule;
  /** Answer `500 Internal Server Error` without handling the request. */
  readonly status500?: FaultRule;
  /** Destroy the connection without an answer and without handling the request. */
  readonly connectionReset?: FaultRule;
  /** Wait `delayMs` before handling the request (combines with the other faults). */
  readonly slow?: SlowFaultRule;
  /**
   * Handle the request (the change is made and stored), then destroy the connection instead of
   * answering: the client cannot know the outcome. The duplicate-create case.
   */
  readonly lostResponse?: FaultRule;
}

/** The name of each injectable fault. */
export type FaultKind = 'status429' | 'status503' | 'status500' | 'connectionReset' | 'slow' | 'lostResponse';

/** Every fault kind, in the order the outcome is decided (after `slow`). */
export const FAULT_KINDS: readonly FaultKind[] = [
  'slow',
  'connectionReset',
  'status500',
  'status503',
  'status429',
  'lostResponse',
];

/**
 * A small, fast, seeded pseudo-random generator (mulberry32): the same seed gives the same
 * sequence on every platform.
 *
 * @returns a function giving numbers in [0, 1).
 * @example
 * ```ts
 * const next = createSeededRandom(42);
 * next(); // always the same first number for seed 42
 * ```
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The faults decided for one request. */
export interface FaultDecision {
  /** Milliseconds to wait first, 0 for none. */
  readonly delayMs: number;
  /** What to do after the wait, or `undefined` to handle the request normally. */
  readonly outcome?:
    | { readonly kind: 'connectionReset' | 'status500' | 'lostResponse' }
    | { readonly kind: 'status503' | 'status429'; readonly retryAfterSeconds?: number };
}

interface FaultState {
  readonly rule: FaultRule;
  readonly random: () => number;
  injected: number;
}

/** Derives a distinct seed per fault kind from the configured seed. */
function seedFor(seed: number, kind: FaultKind): number {
  let hash = seed >>> 0;
  for (const char of kind) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}

/**
 * Decides, request by request, which faults fire.
 *
 * @internal Used by {@link ScimTestServer}; exported for its unit tests.
 */
export class FaultInjector {
  private readonly states = new Map<FaultKind, FaultState>();

  constructor(faults: ScimTestServerFaults | undefined) {
    if (faults === undefined) return;
    const seed = faults.seed ?? 1;
    for (const kind of FAULT_KINDS) {
      const rule = faults[kind];
      if (rule === undefined) continue;
      validateRule(kind, rule);
      this.states.set(kind, { rule, random: createSeededRandom(seedFor(seed, kind)), injected: 0 });
    }
  }

  /** True when at least one fault is configured. */
  get active(): boolean {
    return this.states.size > 0;
  }

  /**
   * Draws the faults for one request. `route` is the route template, e.g. `/Users/:id`.
   *
   * Every eligible fault draws one number, so a fault's sequence depends only on the eligible
   * requests it saw. A fault counts as injected (towards its `limit` and the server's counters)
   * only when it decided the outcome, or for `slow`, when it delayed the request.
   */
  decide(method: string, route: string): FaultDecision {
    let delayMs = 0;
    let outcome: FaultDecision['outcome'];
    for (const kind of FAULT_KINDS) {
      const state = this.states.get(kind);
      if (state === undefined || !this.draws(state, method, route)) continue;
      if (kind === 'slow') {
        delayMs = (state.rule as SlowFaultRule).delayMs;
        state.injected += 1;
        continue;
      }
      if (outcome !== undefined) continue;
      state.injected += 1;
      if (kind === 'status429') {
        outcome = { kind, retryAfterSeconds: (state.rule as RetryAfterFaultRule).retryAfterSeconds ?? 1 };
      } else if (kind === 'status503') {
        const seconds = (state.rule as RetryAfterFaultRule).retryAfterSeconds;
        outcome = seconds === undefined ? { kind } : { kind, retryAfterSeconds: seconds };
      } else {
        outcome = { kind };
      }
    }
    return outcome === undefined ? { delayMs } : { delayMs, outcome };
  }

  /** True when the request is eligible for the fault and its draw is below the rate. */
  private draws(state: FaultState, method: string, route: string): boolean {
    const { rule } = state;
    if (rule.methods !== undefined && !rule.methods.includes(method as ScimTestServerMethod)) return false;
    if (rule.paths !== undefined && !rule.paths.includes(route)) return false;
    if (state.injected >= (rule.limit ?? Number.POSITIVE_INFINITY)) return false;
    return state.random() < rule.rate;
  }
}

function validateRule(kind: FaultKind, rule: FaultRule): void {
  if (typeof rule.rate !== 'number' || !(rule.rate >= 0 && rule.rate <= 1)) {
    throw new RangeError(`faults.${kind}.rate must be a number from 0 to 1`);
  }
  if (rule.limit !== undefined && !(rule.limit >= 0)) {
    throw new RangeError(`faults.${kind}.limit must be a number >= 0`);
  }
  if (kind === 'slow') {
    const delay = (rule as SlowFaultRule).delayMs;
    if (typeof delay !== 'number' || !(delay >= 0)) throw new RangeError('faults.slow.delayMs must be >= 0');
  }
  const retryAfter = (rule as RetryAfterFaultRule).retryAfterSeconds;
  if (retryAfter !== undefined && !(Number.isInteger(retryAfter) && retryAfter >= 0)) {
    throw new RangeError(`faults.${kind}.retryAfterSeconds must be an integer >= 0`);
  }
}
