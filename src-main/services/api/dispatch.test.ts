import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ApiEvent } from '../../../src-preload/contract';
import { createDispatcher } from './dispatch';
import { defineMethod, type MethodTable } from './methods';
import { ServiceError } from './errors';
import { testTable } from '../app/testing';

const fixture = testTable();
const table = fixture.table;
afterAll(() => fixture.cleanup());

function withAbout(handler: () => Promise<never>): MethodTable {
  return { ...table, 'system.about': defineMethod('system.about', z.strictObject({}), handler) };
}

describe('createDispatcher', () => {
  const events: ApiEvent[] = [];
  const dispatch = createDispatcher(table, { emit: (e) => events.push(e) });

  it('runs a valid call and returns its value', async () => {
    const result = await dispatch('system.about', {});
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value).toMatchObject({ runtime: 'node', versions: { onnxruntimeNode: '1.30.0' } });
      expect(result.value).toMatchObject({ dataDir: fixture.deps.dataDir });
    }
  });

  it('names unknown methods and lists the known ones', async () => {
    const result = await dispatch('system.nope', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown_method', method: 'system.nope' } });
    if (!result.ok) expect(result.error.message).toContain('system.about');
  });

  it('rejects invalid payloads with the zod message and one issue per problem', async () => {
    const result = await dispatch('system.probeProviders', { providers: ['tpu'], timeoutMs: 'soon' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_input');
    expect(result.error.message).toMatch(/Invalid input for system\.probeProviders/);
    expect(result.error.issues?.map((i) => i.split(':')[0]).sort()).toEqual(['providers.0', 'timeoutMs']);
  });

  it('rejects unexpected keys (strict inputs)', async () => {
    const result = await dispatch('system.about', { extra: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('passes service errors through with their code and issues', async () => {
    const failing = createDispatcher(
      withAbout(async () => {
        throw new ServiceError('not_found', 'Project 7 does not exist; list projects first.', ['id: unknown']);
      }),
      { emit: () => undefined },
    );
    expect(await failing('system.about', {})).toEqual({
      ok: false,
      error: {
        code: 'not_found',
        message: 'Project 7 does not exist; list projects first.',
        method: 'system.about',
        issues: ['id: unknown'],
      },
    });
  });

  it('turns unexpected exceptions into internal errors that keep the message', async () => {
    const failing = createDispatcher(
      withAbout(async () => {
        throw new RangeError('index 9 out of range');
      }),
      { emit: () => undefined },
    );
    const result = await failing('system.about', {});
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'internal', message: expect.stringContaining('RangeError: index 9 out of range') },
    });
    expect(result.ok ? '' : result.error.message).toMatch(/This is a bug; please report it/);
  });

  it('streams probe events through the context while the call runs', async () => {
    events.length = 0;
    const result = await dispatch('system.probeProviders', { providers: ['cpu'] });
    expect(result.ok).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'system.probe', probe: { provider: 'cpu', status: 'available' } });
  });
});

describe('defineMethod', () => {
  it('refuses, at compile time, a schema that rejects inputs the contract allows', () => {
    const narrow = z.strictObject({ providers: z.array(z.enum(['cpu'])).optional() });
    // @ts-expect-error the contract allows providers other than 'cpu', so this schema would reject valid calls
    const def = defineMethod('system.probeProviders', narrow, async () => ({ probes: [] }));
    // At run time the definition still validates with its (narrow) schema.
    expect(def.input.safeParse({ providers: ['webgpu'] }).success).toBe(false);
  });
});
