import { describe, expect, it } from 'vitest';
import { ROUTES, routeFromHash } from './routes';

describe('routeFromHash', () => {
  it('reads #/<id> and #<id> for every screen', () => {
    for (const route of ROUTES) {
      expect(routeFromHash(`#/${route.id}`)).toBe(route.id);
      expect(routeFromHash(`#${route.id}`)).toBe(route.id);
    }
  });

  it('sends unknown, empty and token fragments to the first screen', () => {
    expect(routeFromHash('')).toBe('datasets');
    expect(routeFromHash('#/nope')).toBe('datasets');
    expect(routeFromHash('#token=abc')).toBe('datasets');
  });
});
