import { describe, expect, it } from 'vitest';
import { allCases } from '../check/all-cases';
import { DIFFERENTIABLE_OPS, GRAD_RULES } from './index';

describe('gradient rule registry', () => {
  it('has a finite-difference check for every rule', () => {
    const checked = new Set<string>(allCases.map((c) => c.rule));
    expect(DIFFERENTIABLE_OPS.filter((op) => !checked.has(op))).toEqual([]);
  });

  it('registers exactly the differentiable ops', () => {
    expect(Object.keys(GRAD_RULES).sort()).toEqual([...DIFFERENTIABLE_OPS].sort());
  });

  it('checks broadcasting for every broadcasting binary op', () => {
    for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Where']) {
      expect(
        allCases.some((c) => c.rule === op && /\[.*\].*\[.*\]/.test(c.name)),
        op,
      ).toBe(true);
    }
  });
});
