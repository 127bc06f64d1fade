import { describe, expect, it } from 'vitest';
import { ENTITY_COLORS, entityColor } from './entity-colors';

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as never;
const distance = (a: string, b: string): number => {
  const [x, y] = [rgb(a), rgb(b)];
  return Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
};

describe('entity colours', () => {
  it('gives every known type its own colour, far enough apart to tell (MISC and MONEY included)', () => {
    const entries = Object.entries(ENTITY_COLORS);
    for (const [i, [a, ca]] of entries.entries())
      for (const [b, cb] of entries.slice(i + 1)) expect(distance(ca, cb), `${a} vs ${b}`).toBeGreaterThan(40);
    expect(entityColor('MISC')).not.toBe(entityColor('MONEY'));
  });

  it('is one map: the same type gets the same colour wherever it is asked, unknown types a stable hue', () => {
    expect(entityColor('PER')).toBe('#aa9cfc');
    expect(entityColor('SPECIES')).toBe(entityColor('SPECIES'));
    expect(entityColor('SPECIES')).toMatch(/^hsl\(\d+ 70% 78%\)$/);
    expect(entityColor('SPECIES')).not.toBe(entityColor('GENE'));
  });
});
