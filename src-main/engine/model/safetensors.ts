import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';

/** Element types of the safetensors format and their sizes in bytes. */
export const DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
} as const;
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

/** A file that is not a valid safetensors file; `reason` says which check failed. */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
  }
}

/** Where one tensor lives in the file. */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Absolute byte range in the file. */
  readonly begin: number;
  readonly end: number;
}

/** A float32 tensor to write. */
export interface F32Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

// The reference implementation caps the header at 100 MB; a larger length is corruption or an attack.
const MAX_HEADER_BYTES = 100_000_000;

const entrySchema = z
  .object({
    dtype: z.enum(Object.keys(DTYPE_BYTES) as [SafetensorsDtype, ...SafetensorsDtype[]]),
    shape: z.array(z.number().int().nonnegative()),
    data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  })
  .strict();
const metadataSchema = z.record(z.string(), z.string());

/** A parsed safetensors file backed by one buffer; tensors are views into it where alignment allows. */
export class SafetensorsFile {
  constructor(
    readonly source: string,
    readonly buffer: Uint8Array,
    readonly tensors: ReadonlyMap<string, TensorInfo>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {}

  /** Tensor names in file order. */
  names(): string[] {
    return [...this.tensors.keys()];
  }

  /** Info of a tensor; throws naming the file and the missing name. */
  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new SafetensorsError(this.source, `has no tensor "${name}"`);
    return t;
  }

  /** Raw little-endian bytes of a tensor (a view, no copy). */
  bytes(name: string): Uint8Array {
    const t = this.info(name);
    return this.buffer.subarray(t.begin, t.end);
  }

  /** A tensor as float32: a view for aligned F32, converted for F16/BF16/F64. Integer tensors are refused. */
  float32(name: string): Float32Array {
    const t = this.info(name);
    const n = t.shape.reduce((a, b) => a * b, 1);
    const abs = this.buffer.byteOffset + t.begin;
    switch (t.dtype) {
      case 'F32':
        return abs % 4 === 0 && LITTLE_ENDIAN
          ? new Float32Array(this.buffer.buffer, abs, n)
          : new Float32Array(copyBytes(this.bytes(name)).buffer, 0, n);
      case 'F16':
        return f16ToF32(this.bytes(name), n);
      case 'BF16':
        return bf16ToF32(this.bytes(name), n);
      case 'F64':
        return Float32Array.from(new Float64Array(copyBytes(this.bytes(name)).buffer, 0, n));
      default:
        throw new SafetensorsError(
          this.source,
          `tensor "${name}" has dtype ${t.dtype}; only float tensors (F32, F16, BF16, F64) convert to float32`,
        );
    }
  }
}

const LITTLE_ENDIAN = endianness() === 'LE';

function copyBytes(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  out.set(b);
  return out;
}

/** IEEE half -> float32 (subnormals, infinities and NaN included). */
function f16ToF32(bytes: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const h = bytes[2 * i] | (bytes[2 * i + 1] << 8);
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** bfloat16 is the top half of a float32. */
function bf16ToF32(bytes: Uint8Array, n: number): Float32Array {
  const bits = new Uint32Array(n);
  for (let i = 0; i < n; i++) bits[i] = ((bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16) >>> 0;
  return new Float32Array(bits.buffer);
}

/** Parses and validates a whole safetensors file held in memory. */
export function parseSafetensors(buffer: Uint8Array, source = '<buffer>'): SafetensorsFile {
  const fail = (reason: string): never => {
    throw new SafetensorsError(source, reason);
  };
  if (buffer.length < 8) fail(`is ${buffer.length} bytes; a safetensors file starts with an 8-byte header length`);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const headerLen64 = view.getBigUint64(0, true);
  if (headerLen64 > BigInt(Math.min(MAX_HEADER_BYTES, buffer.length - 8))) {
    fail(
      `header length ${headerLen64} exceeds the file (${buffer.length} bytes) or the 100 MB limit; the file is truncated or not safetensors`,
    );
  }
  const headerLen = Number(headerLen64);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(8, 8 + headerLen)));
  } catch (err) {
    fail(`header is not UTF-8 JSON (${(err as Error).message}); the file is corrupt`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = buffer.length - dataStart;
  let metadata: Record<string, string> = {};
  const infos: TensorInfo[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      const m = metadataSchema.safeParse(value);
      if (!m.success) fail('__metadata__ must map strings to strings');
      else metadata = m.data;
      continue;
    }
    const e = entrySchema.safeParse(value);
    if (!e.success) {
      const issue = e.error.issues[0];
      fail(`tensor "${name}": field "${issue.path.join('.')}" ${issue.message}`);
      continue;
    }
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = e.data;
    const numel = shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(numel * DTYPE_BYTES[dtype])) fail(`tensor "${name}" shape [${shape}] is too large`);
    if (end < begin) fail(`tensor "${name}" data_offsets [${begin}, ${end}] end before begin`);
    if (end - begin !== numel * DTYPE_BYTES[dtype]) {
      fail(`tensor "${name}" holds ${end - begin} bytes but ${dtype} [${shape}] needs ${numel * DTYPE_BYTES[dtype]}`);
    }
    if (end > dataLen)
      fail(`tensor "${name}" ends at byte ${end} of a ${dataLen}-byte data section; the file is truncated`);
    infos.push({ name, dtype, shape, begin: dataStart + begin, end: dataStart + end });
  }
  checkLayout(infos, dataStart, buffer.length, fail);
  return new SafetensorsFile(source, buffer, new Map(infos.map((t) => [t.name, t])), metadata);
}

/** Tensors must tile the data section exactly (no overlap, no hole, no trailing bytes), as the reference reader demands. */
function checkLayout(
  infos: readonly TensorInfo[],
  dataStart: number,
  fileEnd: number,
  fail: (r: string) => never,
): void {
  const sorted = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = dataStart;
  for (const t of sorted) {
    if (t.begin < pos)
      fail(
        `tensor "${t.name}" overlaps the previous tensor (starts at data byte ${t.begin - dataStart}, previous ends at ${pos - dataStart})`,
      );
    if (t.begin > pos) fail(`gap of ${t.begin - pos} bytes before tensor "${t.name}"; the offsets are corrupt`);
    pos = t.end;
  }
  if (pos !== fileEnd) fail(`${fileEnd - pos} bytes after the last tensor; the file is corrupt or has trailing data`);
}

/** Reads a safetensors file with a single read and validates it. */
export function readSafetensors(path: string): SafetensorsFile {
  return parseSafetensors(readFileSync(path), path);
}

/** Header + layout for F32 tensors, in name order (data 8-byte aligned, as the reference writer pads). */
function layout(tensors: readonly F32Tensor[], metadata: Readonly<Record<string, string>> | undefined): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const seen = new Set<string>();
  for (const t of [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (t.name === '' || t.name === '__metadata__' || seen.has(t.name)) {
      throw new SafetensorsError(
        'writer',
        `tensor name "${t.name}" is empty, reserved or duplicated; give each tensor a unique name`,
      );
    }
    seen.add(t.name);
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length || t.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new SafetensorsError(
        'writer',
        `tensor "${t.name}" has ${t.data.length} values but shape [${t.shape}] needs ${numel}`,
      );
    }
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.alloc(8 + Buffer.byteLength(json));
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)), 0);
  head.write(json, 8, 'utf8');
  return head;
}

function sortedByName(tensors: readonly F32Tensor[]): F32Tensor[] {
  return [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function leBytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const dv = new DataView(out.buffer);
  data.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return out;
}

/** Serialises F32 tensors into one safetensors buffer (tests, small files). */
export function serializeSafetensors(
  tensors: readonly F32Tensor[],
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const head = layout(tensors, metadata);
  const total = head.length + tensors.reduce((n, t) => n + t.data.byteLength, 0);
  const out = new Uint8Array(total);
  out.set(head, 0);
  let pos = head.length;
  for (const t of sortedByName(tensors)) {
    out.set(leBytes(t.data), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/** Writes F32 tensors to `path` atomically: a temp file in the same folder, fsync, rename, fsync of the folder. */
export function writeSafetensors(
  path: string,
  tensors: readonly F32Tensor[],
  metadata?: Readonly<Record<string, string>>,
): void {
  const head = layout(tensors, metadata);
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(tmp, 'w');
  let open = true;
  try {
    writeAll(fd, head);
    for (const t of sortedByName(tensors)) writeAll(fd, leBytes(t.data));
    fsyncSync(fd);
    open = false;
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    if (open) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dirname(path));
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, Math.min(bytes.length - off, 1 << 30));
}

/** fsync a directory so a rename inside it survives a crash (a no-op where directories cannot be opened). */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return; // Windows cannot open directories; NTFS journals renames itself
  }
  try {
    fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on directories; the rename is still done
  } finally {
    closeSync(fd);
  }
}
