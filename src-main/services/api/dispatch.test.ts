import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ApiEvent } from '../../../src-preload/contract';
import { createDispatcher } from './dispatch';
import { defineMethod, type MethodTable } from './methods';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportError } from '../../data/import/errors';
import { loadHfBertConfig } from '../../engine/model';
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

  it('titles each error with what happened: file not found, bad quote at line N, not a BERT-family model', async () => {
    const titleOf = async (fail: () => never): Promise<{ code: string; title?: string }> => {
      const r = await createDispatcher(
        withAbout(async () => fail()),
        { emit: () => undefined },
      )('system.about', {});
      if (r.ok) throw new Error('expected a failure');
      return r.error;
    };
    const missing = join(tmpdir(), 'mts-no-such-file.csv');
    expect(await titleOf(() => readFileSync(missing) as never)).toMatchObject({ code: 'io', title: 'File not found' });
    const quote = new ImportError('/data/news.csv', 3, 'text after a closing quote at line 3', 'double the quotes');
    expect(
      await titleOf(() => {
        throw quote;
      }),
    ).toMatchObject({ code: 'invalid_input', title: 'Bad quote at line 3 in news.csv' });
    const header = new ImportError('/data/news.csv', 1, 'no text column found among "a"', 'choose one');
    expect(
      await titleOf(() => {
        throw header;
      }),
    ).toMatchObject({ title: 'Cannot import news.csv (line 1)' });
    const gpt2 = mkdtempSync(join(tmpdir(), 'mts-gpt2-'));
    writeFileSync(join(gpt2, 'config.json'), JSON.stringify({ model_type: 'gpt2', n_embd: 768, n_layer: 12 }));
    const notBert = await titleOf(() => loadHfBertConfig(gpt2) as never);
    expect(notBert).toMatchObject({ code: 'invalid_input', title: 'Not a BERT-family model' });
    expect((notBert as { message?: string }).message).toMatch(
      /model_type is "gpt2" but this engine only trains BERT-like/,
    );
    const titled = new ServiceError('not_found', 'Import file "/x.csv" does not exist.', undefined, {
      title: 'File not found',
    });
    expect(
      await titleOf(() => {
        throw titled;
      }),
    ).toMatchObject({ code: 'not_found', title: 'File not found' });
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
