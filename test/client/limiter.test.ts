import { describe, expect, it } from 'vitest';
import { RequestLimiter } from '../../src/client/limiter';
import { sleep } from '../../src/internal/abort';

describe('RequestLimiter', () => {
  it('never lets more than `concurrency` holders in at once, and serves waiters in order', async () => {
    const limiter = new RequestLimiter({ concurrency: 3 });
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        const release = await limiter.acquire();
        order.push(index);
        active += 1;
        peak = Math.max(peak, active);
        await sleep(5);
        active -= 1;
        release();
      }),
    );
    expect(peak).toBe(3);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(limiter.inFlight).toBe(0);
  });

  it('lets an aborted waiter leave the queue without taking a slot', async () => {
    const limiter = new RequestLimiter({ concurrency: 1 });
    const release = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    expect(limiter.waiting).toBe(1);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(limiter.waiting).toBe(0);
    release();
    const again = await limiter.acquire();
    expect(limiter.inFlight).toBe(1);
    again();
  });

  it('spaces starts by the rate limit', async () => {
    const limiter = new RequestLimiter({ concurrency: 10, rateLimit: 50 });
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        const release = await limiter.acquire();
        starts.push(Date.now());
        release();
      }),
    );
    starts.sort((a, b) => a - b);
    // 5 starts at 50/s are spread over at least 4 intervals of 20 ms (timer slack allowed).
    expect((starts.at(-1) as number) - (starts[0] as number)).toBeGreaterThanOrEqual(75);
  });
});
