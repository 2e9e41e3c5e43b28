import { TokenBucket } from '../../api/src/data/rate-limit';
import { VirtualClock } from '../support/virtual-clock';

/** When each of `count` takers, started together, was let through (virtual ms). */
async function grantTimes(bucket: TokenBucket, clock: VirtualClock, count: number): Promise<number[]> {
  const times = Array.from({ length: count }, () => Number.NaN);
  await Promise.all(
    times.map(async (_, i) => {
      await bucket.take();
      times[i] = clock.now();
    }),
  );
  return times;
}

describe('TokenBucket', () => {
  it('spaces requests evenly by default: 5 a minute is one every 12 s, the first at once', async () => {
    const clock = new VirtualClock(1_000_000);
    const bucket = new TokenBucket({ perMinute: 5, now: clock.now, sleep: clock.sleep });
    expect(bucket.intervalMs).toBe(12_000);
    const times = await grantTimes(bucket, clock, 6);
    expect(times.map((t) => t - 1_000_000)).toEqual([0, 12_000, 24_000, 36_000, 48_000, 60_000]);
    // Never more than 5 in any 60 s window, however the provider counts its minute.
    for (const start of times) {
      expect(times.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(5);
    }
  });

  it('lets a burst through after a quiet spell, then one per interval', async () => {
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket({ perMinute: 6, burst: 3, now: clock.now, sleep: clock.sleep });
    // Full bucket of 3: three at once; then tokens at 10 s, 20 s.
    expect(await grantTimes(bucket, clock, 5)).toEqual([0, 0, 0, 10_000, 20_000]);
    // 95 s of quiet refill the bucket to 3, not to 9.5: three at once again, then 10 s apart.
    clock.advance(95_000);
    expect(await grantTimes(bucket, clock, 4)).toEqual([115_000, 115_000, 115_000, 125_000]);
  });

  it('counts a partly refilled token: 7 s after a take, the next waits only the 5 s left', async () => {
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket({ perMinute: 5, now: clock.now, sleep: clock.sleep });
    await bucket.take();
    clock.advance(7_000);
    await bucket.take();
    expect(clock.sleeps).toEqual([5_000]);
    expect(clock.now()).toBe(12_000);
  });

  it('drain() empties a full bucket: after a 429 the next request waits a whole interval', async () => {
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket({ perMinute: 5, burst: 5, now: clock.now, sleep: clock.sleep });
    await bucket.take(); // 4 tokens left
    bucket.drain();
    expect(await grantTimes(bucket, clock, 2)).toEqual([12_000, 24_000]);
  });

  it('drain() keeps the reservations of callers already waiting', async () => {
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket({ perMinute: 5, now: clock.now, sleep: clock.sleep });
    const times = grantTimes(bucket, clock, 3); // reserves 0, 12 s, 24 s
    bucket.drain();
    expect(await times).toEqual([0, 12_000, 24_000]);
  });

  it.each([
    [{ perMinute: 0 }, /perMinute must be > 0/],
    [{ perMinute: Number.POSITIVE_INFINITY }, /perMinute must be > 0/],
    [{ perMinute: 5, burst: 0 }, /burst must be an integer >= 1/],
    [{ perMinute: 5, burst: 1.5 }, /burst must be an integer >= 1/],
  ])('refuses %p', (options, message) => {
    expect(() => new TokenBucket(options)).toThrow(message);
  });
});
