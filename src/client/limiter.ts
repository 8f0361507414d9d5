/**
 * The limit on requests one client has in flight, and on how fast it starts them.
 */
import { abortReason, sleep } from '../internal/abort';

/** Options of {@link RequestLimiter}. */
export interface RequestLimiterOptions {
  /** The most requests in flight at once. */
  readonly concurrency: number;
  /**
   * The most requests started per second; unlimited when undefined. Starts are spaced evenly
   * (`1000 / rateLimit` ms apart), with no burst.
   * @unit requests per second
   */
  readonly rateLimit?: number | undefined;
}

interface Waiter {
  readonly grant: () => void;
}

/**
 * A first-come, first-served gate shared by every call of one client: at most `concurrency`
 * requests in flight, started at most `rateLimit` per second. Each attempt of a request holds a
 * slot only while it is on the wire; waits between retries do not.
 *
 * @example
 * ```ts
 * const limiter = new RequestLimiter({ concurrency: 4, rateLimit: 10 });
 * const release = await limiter.acquire(signal);
 * try { await send(); } finally { release(); }
 * ```
 */
export class RequestLimiter {
  private readonly concurrency: number;
  private readonly interval: number;
  private active = 0;
  private readonly queue: Waiter[] = [];
  private nextStart = 0;

  constructor(options: RequestLimiterOptions) {
    this.concurrency = options.concurrency;
    this.interval = options.rateLimit === undefined ? 0 : 1000 / options.rateLimit;
  }

  /** Requests holding a slot now. */
  get inFlight(): number {
    return this.active;
  }

  /** Requests waiting for a slot now. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Waits for a slot (and for the rate limit), then returns the function that gives it back.
   * Rejects with the signal's reason, leaving the queue, when `signal` aborts first.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    await this.takeSlot(signal);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.active -= 1;
      this.queue.shift()?.grant();
    };
    if (this.interval > 0) {
      const now = Date.now();
      const start = Math.max(now, this.nextStart);
      this.nextStart = start + this.interval;
      try {
        await sleep(start - now, signal);
      } catch (error) {
        release();
        throw error;
      }
    }
    return release;
  }

  private takeSlot(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.active < this.concurrency) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active += 1;
          resolve();
        },
      };
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(abortReason(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }
}
