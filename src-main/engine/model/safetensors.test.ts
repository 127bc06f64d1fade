import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  SafetensorsError,
  parseSafetensors,
  readSafetensors,
  serializeSafetensors,
  writeSafetensors,
} from './safetensors';

const MINILM = join(import.meta.dirname, '../../../../shared/models/all-MiniLM-L6-v2/model.safetensors');
const haveMiniLM = existsSync(MINILM);

/** A file from a raw header object and a data section (to build corrupt files on purpose). */
function rawFile(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = Buffer.from(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (name: string, shape: number[], values: number[]) => ({ name, shape, data: Float32Array.from(values) });

describe('safetensors round trip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mts-st-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes atomically and reads back the same tensors as views of one buffer', () => {
    const tensors = [
      f32('b.weight', [2, 3], [1, 2, 3, 4, 5, 6]),
      f32('a.bias', [3], [-1, 0.5, 1e-8]),
      f32('empty', [0, 4], []),
    ];
    const path = join(dir, 'model.safetensors');
    writeSafetensors(path, tensors, { format: 'pt' });
    expect(readdirSync(dir)).toEqual(['model.safetensors']); // no temp file left behind
    const file = readSafetensors(path);
    expect(file.names().sort()).toEqual(['a.bias', 'b.weight', 'empty']);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.info('b.weight').shape).toEqual([2, 3]);
    for (const t of tensors) expect([...file.float32(t.name)]).toEqual([...t.data]);
    expect(file.float32('b.weight').buffer).toBe(file.buffer.buffer);
    expect(file.info('a.bias').begin % 8).toBe(0); // header padded so data starts 8-aligned
  });

  it('serialises to the same bytes as it writes', () => {
    const tensors = [f32('x', [1], [3])];
    const path = join(dir, 'x.safetensors');
    writeSafetensors(path, tensors);
    expect(readSafetensors(path).buffer).toEqual(Buffer.from(serializeSafetensors(tensors)));
  });

  it('refuses bad tensors on write', () => {
    expect(() => serializeSafetensors([f32('x', [2, 2], [1, 2, 3])])).toThrow(/3 values but shape \[2,2\]/);
    expect(() => serializeSafetensors([f32('x', [1], [1]), f32('x', [1], [2])])).toThrow(/duplicated/);
  });
});

describe('safetensors dtypes', () => {
  it('converts F16 and BF16 to float32', () => {
    const f16 = [0x3c00, 0xc000, 0x7c00, 0x0001, 0x3555]; // 1, -2, inf, 2^-24, ~0.333
    const bf16 = [0x3f80, 0xc040]; // 1, -3
    const data = new Uint8Array(2 * (f16.length + bf16.length));
    const dv = new DataView(data.buffer);
    [...f16, ...bf16].forEach((v, i) => dv.setUint16(2 * i, v, true));
    const file = parseSafetensors(
      rawFile(
        {
          h: { dtype: 'F16', shape: [5], data_offsets: [0, 10] },
          b: { dtype: 'BF16', shape: [2], data_offsets: [10, 14] },
        },
        data,
      ),
    );
    const h = file.float32('h');
    expect([h[0], h[1], h[2], h[3]]).toEqual([1, -2, Infinity, 2 ** -24]);
    expect(h[4]).toBeCloseTo(1 / 3, 3);
    expect([...file.float32('b')]).toEqual([1, -3]);
  });

  it('refuses to read an integer tensor as float', () => {
    const file = parseSafetensors(
      rawFile({ ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
    );
    expect(() => file.float32('ids')).toThrow(/dtype I64/);
    expect(() => file.float32('nope')).toThrow(/no tensor "nope"/);
  });
});

describe('safetensors refuses corrupt or malicious files', () => {
  const ok = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', new Uint8Array(5), /8-byte header length/],
    [
      'header length past the end',
      (() => {
        const b = rawFile(ok, new Uint8Array(8));
        new DataView(b.buffer).setBigUint64(0, 1n << 40n, true);
        return b;
      })(),
      /exceeds the file/,
    ],
    ['header not JSON', rawFile(null, new Uint8Array(0), '{"t": [1,'), /not UTF-8 JSON/],
    ['header not an object', rawFile([1, 2], new Uint8Array(0)), /not a JSON object/],
    [
      'unknown dtype',
      rawFile({ t: { dtype: 'F24', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /tensor "t": field "dtype"/,
    ],
    [
      'negative dim',
      rawFile({ t: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /field "shape.0"/,
    ],
    [
      'shape vs bytes',
      rawFile({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /holds 8 bytes but F32 \[3\] needs 12/,
    ],
    [
      'end before begin',
      rawFile({ t: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, new Uint8Array(8)),
      /end before begin/,
    ],
    [
      'offsets past the file',
      rawFile({ t: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)),
      /truncated/,
    ],
    [
      'overlap',
      rawFile(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        new Uint8Array(8),
      ),
      /overlaps/,
    ],
    ['gap', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /gap of 4 bytes/],
    ['trailing bytes', rawFile(ok, new Uint8Array(12)), /4 bytes after the last tensor/],
    ['bad metadata', rawFile({ __metadata__: { a: 1 }, ...ok }, new Uint8Array(8)), /__metadata__/],
    [
      'extra field',
      rawFile({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 8], evil: 1 } }, new Uint8Array(8)),
      /tensor "t"/,
    ],
    [
      'huge shape',
      rawFile({ t: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /too large/,
    ],
  ];
  it.each(cases)('%s', (_name, bytes, message) => {
    expect(() => parseSafetensors(bytes, 'bad.safetensors')).toThrow(SafetensorsError);
    expect(() => parseSafetensors(bytes, 'bad.safetensors')).toThrow(message);
  });
});

describe.skipIf(!haveMiniLM)(
  `reads a real Hugging Face file ${haveMiniLM ? '' : '(skipped: ../shared/models/all-MiniLM-L6-v2 missing)'}`,
  () => {
    it('all-MiniLM-L6-v2 model.safetensors', () => {
      const file = readSafetensors(MINILM);
      expect(file.tensors.size).toBe(104);
      const w = file.float32('embeddings.word_embeddings.weight');
      expect(w.length).toBe(30522 * 384);
      expect(w.buffer).toBe(file.buffer.buffer);
      expect(file.info('embeddings.position_ids').dtype).toBe('I64');
    });
  },
);
