import { describe, expect, it } from 'vitest';
import { Graph, op, serializeModel } from '../onnx';
import { DeviceUnavailableError, FeedError, ModelLoadError, RunError } from './errors';
import { checkFeeds, resolveDim } from './feeds';
import { createSession, runChecked, toOrt } from './session';
import { hostTensor } from './tensor';

function model(): Uint8Array {
  const g = new Graph('m');
  const x = g.input('x', 'float32', ['batch', 3]);
  const ids = g.input('ids', 'int64', ['batch', 'seq']);
  const scale = g.input('scale', 'float32', []);
  g.output(op.mul(g, x, scale), 'y');
  g.output(op.reshape(g, op.cast(g, ids, 'float32'), [0, 2, 2]), 'ids4');
  return serializeModel(g);
}

const feeds = {
  x: hostTensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]),
  ids: hostTensor('int64', BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]), [2, 4]),
  scale: hostTensor('float32', Float32Array.from([2]), []),
};

describe('createSession', () => {
  it('runs on the CPU EP, reports it and returns host tensors', async () => {
    const s = await createSession(model(), { threads: 1 });
    expect(s.device).toMatchObject({ requested: 'cpu', providers: ['cpu'], nodePlacement: 'all-cpu', threads: 1 });
    const out = await s.run(feeds);
    expect(out['y']).toEqual({ dtype: 'float32', data: Float32Array.from([2, 4, 6, 8, 10, 12]), dims: [2, 3] });
    expect(out['ids4']!.dims).toEqual([2, 2, 2]);
    await s.release();
  });

  it.skipIf(process.platform === 'win32')('names the missing DirectML backend with a way out', async () => {
    const err = await createSession(model(), { device: 'dml' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceUnavailableError);
    expect(String(err)).toMatch(/no 'dml' backend.*use "cpu" or "cuda"/);
  });

  it('turns a WebGPU or CUDA failure into DeviceUnavailableError carrying the EP message (or runs where a GPU exists)', async () => {
    for (const device of ['webgpu', 'cuda'] as const) {
      const result = await createSession(model(), { device }).then(
        (session) => ({ ok: true as const, session }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      if (!result.ok) {
        expect(result.error).toBeInstanceOf(DeviceUnavailableError);
        expect((result.error as DeviceUnavailableError).providerMessage.length).toBeGreaterThan(0);
      } else {
        expect(result.session.device.requested).toBe(device);
        await result.session.release();
      }
    }
  });

  it('writes into preallocated fetches (what TrainingSession ping-pong relies on)', async () => {
    const s = await createSession(model());
    const y = new Float32Array(6);
    const out = await runChecked(
      s.ort,
      { x: toOrt(feeds.x), ids: toOrt(feeds.ids), scale: toOrt(feeds.scale) },
      { y: toOrt(hostTensor('float32', y, [2, 3])), ids4: null },
    );
    expect(y).toEqual(Float32Array.from([2, 4, 6, 8, 10, 12]));
    expect(out['ids4']!.dims).toEqual([2, 2, 2]);
    await s.release();
  });

  it('reports unreadable model bytes as ModelLoadError', async () => {
    await expect(createSession(Uint8Array.from([1, 2, 3, 4]))).rejects.toBeInstanceOf(ModelLoadError);
  });

  it('wraps run-time failures with each feed described', async () => {
    const s = await createSession(model());
    const odd = {
      ...feeds,
      ids: hostTensor('int64', BigInt64Array.from([1n, 2n, 3n]), [1, 3]),
      x: hostTensor('float32', new Float32Array(3), [1, 3]),
    };
    const err = await s.run(odd).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunError);
    expect(String(err)).toMatch(/ids: int64 \[1, 3\]/);
    await s.release();
  });
});

describe('checkFeeds', () => {
  const specs = [
    { name: 'x', dtype: 'float32', shape: ['batch', 3] },
    { name: 'ids', dtype: 'int64', shape: ['batch', 'seq'] },
  ];
  const ok = { x: { dtype: 'float32', dims: [2, 3] }, ids: { dtype: 'int64', dims: [2, 7] } };

  it('returns the symbol bindings of a good feed set', () => {
    const b = checkFeeds(specs, ok);
    expect([...b]).toEqual([
      ['batch', 2],
      ['seq', 7],
    ]);
    expect(resolveDim('batch*seq', b, 'm')).toBe(14);
    expect(resolveDim('12*batch', b, 'm')).toBe(24);
    expect(() => resolveDim('heads', b, 'mask of site l0')).toThrow(/'heads' is not fixed/);
  });

  it('names the input with expected vs got', () => {
    expect(() => checkFeeds(specs, { ...ok, x: { dtype: 'float64', dims: [2, 3] } })).toThrow(
      /Input 'x': expected float32 \[batch, 3\], got float64 \[2, 3\]; the dtype differs/,
    );
    expect(() => checkFeeds(specs, { ...ok, x: { dtype: 'float32', dims: [2, 3, 1] } })).toThrow(
      /Input 'x'.*the rank differs/,
    );
    expect(() => checkFeeds(specs, { ...ok, ids: { dtype: 'int64', dims: [5, 7] } })).toThrow(
      /Input 'ids'.*'batch'.*is 2 in input 'x' but 5 here/,
    );
    expect(() => checkFeeds(specs, { x: ok.x })).toThrow(/Missing the following inputs: 'ids'/);
    expect(() => checkFeeds(specs, { ...ok, extra: { dtype: 'float32', dims: [] } })).toThrow(FeedError);
    expect(() => checkFeeds(specs, { ...ok, extra: { dtype: 'float32', dims: [] } })).toThrow(/Unknown input 'extra'/);
  });
});
