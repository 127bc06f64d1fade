import { describe, expect, it } from 'vitest';
import { ProgressMeter, type PullProgress } from './progress';

describe('ProgressMeter', () => {
  it('reports the rate of bytes that arrived (not those already on disk) and the time left at that rate', () => {
    let now = 0;
    const seen: PullProgress[] = [];
    const meter = new ProgressMeter(
      10_000,
      (p) => seen.push(p),
      () => now,
    );
    meter.skip('a', 4000); // kept from an interrupted pull: no rate from it
    expect(seen.at(-1)).toMatchObject({ doneBytes: 4000, bytesPerSec: 0, etaSec: null });
    now = 5000; // the file list and the small files took a while: not part of the rate
    meter.begin();
    now = 6000;
    meter.add('a', 1000);
    expect(seen.at(-1)).toMatchObject({ doneBytes: 5000, bytesPerSec: 1000, etaSec: 5 });
    now = 6100;
    meter.add('a', 500); // within 200 ms of the last report: not reported
    expect(seen).toHaveLength(2);
    now = 7000;
    meter.add('a', 500);
    expect(seen.at(-1)).toMatchObject({ doneBytes: 6000, bytesPerSec: 1000, etaSec: 4 });
  });

  it('forgets rates older than a few seconds, and always reports the last byte', () => {
    let now = 0;
    const seen: PullProgress[] = [];
    const meter = new ProgressMeter(
      100_000,
      (p) => seen.push(p),
      () => now,
    );
    for (let t = 1; t <= 10; t++) {
      now = t * 1000;
      meter.add('a', t <= 5 ? 1000 : 10_000); // the line gets faster after 5 s
    }
    expect(seen.at(-1)!.bytesPerSec).toBe(10_000);
    now += 10;
    meter.add('a', 100_000 - seen.at(-1)!.doneBytes);
    expect(seen.at(-1)).toMatchObject({ doneBytes: 100_000, etaSec: 0 });
  });
});
