/**
 * The memory ceiling for bench:profile's non-GEMM families: the best rate (bytes read + written per second)
 * of one ORT Add over float32 tensors of `elements`, at the bench's thread count, measured in-process.
 */
import { Graph, op, serializeModel } from '../../src-main/engine/onnx';
import { createSession, hostTensor } from '../../src-main/engine/runtime';

/** Best GB/s of C = A + B (12 bytes per element) over `repeats` runs. */
export async function measureStreamGBs(elements: number, threads: number, repeats = 10): Promise<number> {
  const g = new Graph('stream');
  const a = g.input('a', 'float32', [elements]);
  const b = g.input('b', 'float32', [elements]);
  g.output(op.add(g, a, b), 'c');
  const session = await createSession(serializeModel(g), { device: 'cpu', threads });
  const data = Float32Array.from({ length: elements }, (_, i) => (i % 17) / 17);
  const feeds = { a: hostTensor('float32', data, [elements]), b: hostTensor('float32', data, [elements]) };
  await session.run(feeds);
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await session.run(feeds);
    best = Math.max(best, (12 * elements) / ((performance.now() - t0) / 1000) / 1e9);
  }
  await session.release();
  return best;
}
