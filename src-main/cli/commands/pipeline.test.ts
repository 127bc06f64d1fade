import { describe, expect, it } from 'vitest';
import { parseDuration } from './pipeline';

describe('parseDuration (--checkpoint-every)', () => {
  it('reads seconds, minutes and hours, and 0 for off', () => {
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('30s')).toBe(30);
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('1.5h')).toBe(5400);
    expect(parseDuration('0')).toBe(0);
  });

  it('refuses what is not a duration', () => {
    for (const bad of ['', 'm', '5 minutes', '-1m', '5d']) expect(parseDuration(bad)).toBeNull();
  });
});
