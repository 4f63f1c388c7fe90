import { describe, expect, it } from 'vitest';
import { MemoryWindows, WINDOW_SECONDS, WindowCounter } from '../../src/ratelimit/rate-limiter.js';

describe('WindowCounter without Redis', () => {
  const t0 = 1_000_000;

  it('counts one window per subject from its first request, and answers without waiting', () => {
    const counter = new WindowCounter('test', undefined, '');
    expect(counter.hitNow('a', 2, t0)).toStrictEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 60 });
    expect(counter.hitNow('a', 2, t0 + 10_500)).toStrictEqual({
      allowed: true,
      limit: 2,
      remaining: 0,
      resetSeconds: 50,
    });
    expect(counter.hitNow('a', 2, t0 + 59_999)).toStrictEqual({
      allowed: false,
      limit: 2,
      remaining: 0,
      resetSeconds: 1,
    });
    expect(counter.hitNow('b', 2, t0 + 59_999)?.remaining).toBe(1);
    // The window ends a minute after it opened: the next request opens a new one.
    expect(counter.hitNow('a', 2, t0 + WINDOW_SECONDS * 1000)).toStrictEqual({
      allowed: true,
      limit: 2,
      remaining: 1,
      resetSeconds: 60,
    });
  });

  it('peeks without counting, and resets', async () => {
    const counter = new WindowCounter('test', undefined, '');
    expect(await counter.peek('a', 3)).toStrictEqual({ allowed: true, limit: 3, remaining: 3, resetSeconds: 60 });
    await counter.hit('a', 3);
    await counter.hit('a', 3);
    expect(await counter.peek('a', 3)).toMatchObject({ allowed: true, remaining: 1 });
    await counter.hit('a', 3);
    expect(await counter.peek('a', 3)).toMatchObject({ allowed: false, remaining: 0 });
    await counter.reset('a');
    expect(await counter.peek('a', 3)).toMatchObject({ allowed: true, remaining: 3 });
  });

  it('forgets ended windows without a timer per subject', () => {
    const windows = new MemoryWindows(60_000);
    for (let index = 0; index < 100; index++) windows.hit(`s${index}`, t0);
    expect(windows.size).toBe(100);
    windows.hit('late', t0 + 60_000);
    expect(windows.size).toBe(1);
  });
});
