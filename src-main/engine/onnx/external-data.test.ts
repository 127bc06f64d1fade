import { describe, expect, it } from 'vitest';
import { ExternalData } from './external-data';
import { Graph } from './graph';
import { modelProtoType } from './onnx-schema';
import { serializeModel } from './serialize';

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

describe('ExternalData', () => {
  it('places a name with equal bytes once, and a name with other bytes at a new offset', () => {
    const d = new ExternalData();
    const a = d.place('w', bytes(2000, 1));
    expect(d.place('w', bytes(2000, 1))).toEqual(a);
    const b = d.place('w', bytes(2000, 2));
    expect(b.offset).toBeGreaterThanOrEqual(a.offset + 2000);
    expect(b.offset % 16).toBe(0);
    // 1 MiB and more start on a 64 KiB boundary, so a runtime can map them.
    const big = d.place('big', bytes(1024 * 1024, 3));
    expect(big.offset % (64 * 1024)).toBe(0);
    const file = d.bytes();
    expect(file.length).toBe(big.offset + 1024 * 1024);
    expect(file[b.offset]).toBe(2);
    expect(file[big.offset + 1024 * 1024 - 1]).toBe(3);
  });

  it('two graphs serialized with one file reference the same offsets; small tensors stay inline', () => {
    const d = new ExternalData();
    const weight = { dtype: 'float32' as const, dims: [16, 32], data: new Float32Array(512).fill(0.5) };
    const bias = { dtype: 'float32' as const, dims: [4], data: new Float32Array([1, 2, 3, 4]) };
    const protos = ['a', 'b'].map((name) => {
      const g = new Graph(name);
      g.output(g.initializer('w', weight), 'out_w');
      g.output(g.initializer('bias', bias), 'out_b');
      const type = modelProtoType();
      const raw = serializeModel(g, { external: { data: d, location: `${name}.onnx_data` } });
      return type.toObject(type.decode(raw), { longs: Number, bytes: Array }) as {
        graph: {
          initializer: {
            name: string;
            data_location?: number;
            raw_data?: number[];
            external_data?: { key: string; value: string }[];
          }[];
        };
      };
    });
    expect(d.byteLength).toBe(2048);
    for (const [i, p] of protos.entries()) {
      const w = p.graph.initializer.find((t) => t.name === 'w')!;
      expect(w.data_location).toBe(1);
      expect(w.raw_data ?? []).toEqual([]);
      expect(w.external_data).toEqual([
        { key: 'location', value: `${i === 0 ? 'a' : 'b'}.onnx_data` },
        { key: 'offset', value: '0' },
        { key: 'length', value: '2048' },
      ]);
      const b = p.graph.initializer.find((t) => t.name === 'bias')!;
      expect(b.data_location ?? 0).toBe(0);
      expect(b.raw_data).toHaveLength(16);
    }
  });
});
