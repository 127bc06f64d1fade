import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stratifiedSplits } from './splits';

const items = (perClass: Record<string, number>) => {
  const out: { id: number; group: string | null }[] = [];
  let id = 1;
  for (const [label, n] of Object.entries(perClass)) for (let i = 0; i < n; i++) out.push({ id: id++, group: label });
  return out;
};

describe('stratifiedSplits', () => {
  it('keeps class proportions in every split', () => {
    const s = stratifiedSplits(items({ a: 800, b: 200 }), { train: 0.8, dev: 0.1, test: 0.1 }, 7);
    const count = (label: string, split: string) =>
      [...s.entries()].filter(([id, sp]) => sp === split && (label === 'a' ? id <= 800 : id > 800)).length;
    expect(count('a', 'dev')).toBe(80);
    expect(count('b', 'dev')).toBe(20);
    expect(count('a', 'test')).toBe(80);
    expect(count('b', 'train')).toBe(160);
  });

  it('is reproducible from the seed and changes with it', () => {
    const data = items({ a: 50, b: 50 });
    const r = { train: 0.8, dev: 0.1, test: 0.1 };
    expect([...stratifiedSplits(data, r, 1)]).toEqual([...stratifiedSplits(data, r, 1)]);
    expect([...stratifiedSplits(data, r, 1)]).not.toEqual([...stratifiedSplits(data, r, 2)]);
  });

  it('gives every class with two or more examples a dev example', () => {
    const s = stratifiedSplits(items({ big: 100, tiny: 2 }), { train: 0.9, dev: 0.05, test: 0.05 }, 3);
    expect([101, 102].map((id) => s.get(id))).toContain('dev');
  });

  it('assigns every id exactly once for any sizes and ratios', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 5 }),
        fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })),
        fc.integer(),
        (sizes, [tr, dv, te], seed) => {
          const data = items(Object.fromEntries(sizes.map((n, i) => [`c${i}`, n])));
          const s = stratifiedSplits(data, { train: tr, dev: dv, test: te }, seed);
          expect(s.size).toBe(data.length);
          if (dv === 0) expect([...s.values()]).not.toContain('dev');
        },
      ),
    );
  });
});
