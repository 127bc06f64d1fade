// One external-data file shared by several ONNX graphs: each initializer is placed once (same name and same
// bytes -> same offset), so graphs that share weights (an export's multi-task graph and its per-head graphs)
// can all point into one file instead of each carrying a copy.

/** Where one tensor lives in the shared file. */
export interface ExternalSlot {
  readonly offset: number;
  readonly length: number;
}

// The onnx Python helper's defaults: tensors under 1 KiB stay inline; tensors of 1 MiB and more start on a
// 64 KiB boundary (the Windows allocation granularity) so a runtime may memory-map them.
const INLINE_BELOW = 1024;
const ALIGN_FROM = 1024 * 1024;
const LARGE_ALIGN = 64 * 1024;
const SMALL_ALIGN = 16;

/** Collects tensor bytes for one `<model>.onnx_data` file; serializeModel places initializers here. */
export class ExternalData {
  private readonly slots = new Map<string, { readonly slot: ExternalSlot; readonly bytes: Uint8Array }[]>();
  private readonly chunks: { readonly offset: number; readonly bytes: Uint8Array }[] = [];
  private size = 0;

  /** Whether a tensor of this many bytes goes to the file (small ones stay inline in the graph). */
  static holds(byteLength: number): boolean {
    return byteLength >= INLINE_BELOW;
  }

  /** The slot of `bytes` under `name`: an existing one when the same name was placed with equal bytes. */
  place(name: string, bytes: Uint8Array): ExternalSlot {
    const same = this.slots.get(name) ?? [];
    const found = same.find((s) => equalBytes(s.bytes, bytes));
    if (found) return found.slot;
    const align = bytes.byteLength >= ALIGN_FROM ? LARGE_ALIGN : SMALL_ALIGN;
    const offset = Math.ceil(this.size / align) * align;
    const slot = { offset, length: bytes.byteLength };
    this.chunks.push({ offset, bytes });
    this.size = offset + bytes.byteLength;
    this.slots.set(name, [...same, { slot, bytes }]);
    return slot;
  }

  /** Total bytes of the file so far. */
  get byteLength(): number {
    return this.size;
  }

  /** The file's contents: every placed tensor at its offset, zero padding between. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    for (const c of this.chunks) out.set(c.bytes, c.offset);
    return out;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.byteLength !== b.byteLength) return false;
  if (a.buffer === b.buffer && a.byteOffset === b.byteOffset) return true;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
