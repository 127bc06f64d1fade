/**
 * Op coverage of the engine's real graphs against ONNX Runtime's kernel registrations
 * (runtime/fixtures/ort-kernels.json): the WebGPU-bound graphs need no CPU fallback but host-side shape math,
 * DirectML's known gap is on record, and runtime/OP-COVERAGE.md is what `npm run op:coverage` writes now.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type KernelFixture, kernelVerdict, missingKernels, type OpUse, useKey } from '../runtime';
import {
  coverageGraphs,
  loadKernelFixture,
  MODEL_OPSET,
  OP_COVERAGE_MD,
  renderOpCoverageFile,
  taggedUses,
} from './testing';

const fixture = loadKernelFixture();
const uses = taggedUses(coverageGraphs());
const webgpuBound = uses.filter((u) => u.graph.webgpu);
const sortedKeys = (list: readonly OpUse[]): string[] => [...new Set(list.map(useKey))].sort();

describe('op coverage of the engine graphs', () => {
  it('builds every kind of graph, WebGPU-bound ones included', () => {
    const tags = new Set(uses.map((u) => u.graph.tag));
    expect([...tags]).toEqual(
      expect.arrayContaining(['train', 'train/gen', 'accum', 'accum/gen', 'eval', 'infer', 'infer/int8', 'export']),
    );
    expect(new Set(webgpuBound.map((u) => u.graph.tag))).toEqual(new Set(['train/gen', 'accum/gen', 'eval', 'infer']));
  });

  it('finds a WebGPU kernel for every node of the WebGPU-bound graphs but host-side shape math', () => {
    const fallbacks = webgpuBound
      .filter((u) => !u.hostSide)
      .flatMap((u) => {
        const v = kernelVerdict(fixture, 'webgpu', u.use);
        return v.status === 'ok' ? [] : [`${u.graph.name}: ${u.node.name} ${useKey(u.use)}: ${v.reason}`];
      });
    expect(fallbacks).toEqual([]);
  });

  it('finds a DirectML kernel for every node of the DirectML training graphs (no ScatterND add there)', () => {
    const dml = uses.filter((u) => u.graph.tag.endsWith('/dml'));
    expect(dml.length).toBeGreaterThan(0);
    const missing = dml.flatMap((u) => {
      const v = kernelVerdict(fixture, 'dml', u.use);
      return v.status === 'ok' ? [] : [`${u.graph.name}: ${u.node.name} ${useKey(u.use)}: ${v.reason}`];
    });
    expect(missing).toEqual([]);
  });

  it('lists the host-side nodes WebGPU has no kernel for (they run on the CPU EP, no device copy)', () => {
    const onCpu = webgpuBound.filter((u) => u.hostSide && kernelVerdict(fixture, 'webgpu', u.use).status !== 'ok');
    expect(sortedKeys(onCpu.map((u) => u.use))).toEqual([
      // The generated dropout masks' element count.
      'Cast(int64) -> int32 @17',
      // The [U, H] shape of the lazy word-embedding rows' gradient: Shape of the rows, then H.
      'Concat(int64, int64) -> int64 @17',
      'ReduceProd(int64) -> int64 @17',
      // Shape of the int64 ids and slices of it (position ids).
      'Shape(int64) -> int64 @17',
      'Slice(int64, int64, int64, int64) -> int64 @17',
      // ScatterND indices for the embedding gradients, from the host-fed ids.
      'Unsqueeze(int64, int64) -> int64 @17',
    ]);
  });

  it('records what DirectML lacks: ScatterND with reduction=add (the embedding gradient)', () => {
    const scatter = uses.find((u) => u.use.opType === 'ScatterND')!.use;
    expect(scatter.attrs).toEqual({ reduction: 'add' });
    expect(kernelVerdict(fixture, 'dml', scatter)).toEqual({
      status: 'missing',
      reason: 'reduction=add not supported',
    });
    for (const p of ['cpu', 'cuda', 'webgpu'] as const) expect(kernelVerdict(fixture, p, scatter).status).toBe('ok');
  });

  it('keeps the CPU EP free of gaps for every graph', () => {
    expect(
      missingKernels(
        fixture,
        uses.map((u) => u.use),
      ).cpu,
    ).toEqual([]);
  });

  it('keeps OP-COVERAGE.md equal to what `npm run op:coverage` writes', async () => {
    const committed = readFileSync(OP_COVERAGE_MD, 'utf8');
    expect(committed, 'src-main/engine/runtime/OP-COVERAGE.md is stale: run npm run op:coverage').toBe(
      await renderOpCoverageFile(fixture),
    );
  });
});

describe('kernelVerdict', () => {
  const tiny: KernelFixture = {
    about: '',
    opset: 17,
    source: { repo: 'r', commit: 'c', webgpuCommit: 'w', files: {} },
    signatures: {
      Cast: { inputs: ['T1'], outputs: ['T2'] },
      Concat: { inputs: ['T'], outputs: ['T'], variadic: true },
      Where: { inputs: ['B', 'T', 'T'], outputs: ['T'] },
      ScatterND: { inputs: ['T', null, 'T'], outputs: ['T'], attrDefaults: { reduction: 'none' } },
    },
    providers: {
      cpu: {
        Cast: [
          { since: 6, until: 12, types: { T1: ['float'], T2: ['float'] } },
          { since: 13, until: 18, types: { T1: ['float', 'int64'], T2: ['float', 'int32'] } },
        ],
        Concat: [{ since: 13, until: null, types: { T: ['float'] } }],
        Where: [{ since: 16, until: null, types: { T: ['float'] } }],
        ScatterND: [{ since: 16, until: 17, types: { T: ['float'] } }],
      },
      cuda: { Cast: [{ since: 19, until: null, types: {} }], ScatterND: [] },
      dml: { ScatterND: [{ since: 16, until: null, types: { T: ['float'] }, attrs: { reduction: ['none'] } }] },
      webgpu: {},
    },
  };
  const use = (opType: string, ins: (string | null)[], outs: string[], attrs?: Record<string, string>): OpUse => ({
    opType,
    opset: MODEL_OPSET,
    inputDtypes: ins,
    outputDtypes: outs,
    ...(attrs && { attrs }),
  });

  it('picks the registration whose opset range holds the model opset and checks inputs and outputs', () => {
    expect(kernelVerdict(tiny, 'cpu', use('Cast', ['int64'], ['int32'])).status).toBe('ok');
    expect(kernelVerdict(tiny, 'cpu', use('Cast', ['int32'], ['float32']))).toEqual({
      status: 'missing',
      reason: 'int32 not registered (T1)',
    });
    expect(kernelVerdict(tiny, 'cpu', use('Cast', ['float32'], ['bool']))).toEqual({
      status: 'missing',
      reason: 'bool not registered (T2)',
    });
    expect(kernelVerdict(tiny, 'cuda', use('Cast', ['float32'], ['float32']))).toEqual({
      status: 'missing',
      reason: 'no kernel for opset 17',
    });
  });

  it('repeats the last constraint of a variadic op and skips undeclared constraints', () => {
    expect(kernelVerdict(tiny, 'cpu', use('Concat', ['float32', 'float32', 'int64'], ['float32'])).status).toBe(
      'missing',
    );
    expect(kernelVerdict(tiny, 'cpu', use('Where', ['bool', 'float32', 'float32'], ['float32'])).status).toBe('ok');
  });

  it('says no kernel for an empty list and unknown for what was not read', () => {
    const scatter = use('ScatterND', ['float32', 'int64', 'float32'], ['float32'], { reduction: 'add' });
    expect(kernelVerdict(tiny, 'cuda', scatter)).toEqual({ status: 'missing', reason: 'no kernel' });
    expect(kernelVerdict(tiny, 'webgpu', scatter).status).toBe('unknown');
    expect(kernelVerdict(tiny, 'cpu', scatter)).toEqual({
      status: 'unknown',
      reason: 'reduction=add not checked in the source',
    });
    expect(kernelVerdict(tiny, 'dml', scatter)).toEqual({ status: 'missing', reason: 'reduction=add not supported' });
    expect(kernelVerdict(tiny, 'dml', { ...scatter, attrs: { reduction: 'none' } }).status).toBe('ok');
    expect(kernelVerdict(tiny, 'cpu', { ...use('Concat', ['float32'], ['float32']), opset: 18 }).status).toBe(
      'unknown',
    );
  });
});
