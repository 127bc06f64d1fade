/** Test helper: whether onnxruntime's WebGPU EP opens here (a GPU, or Mesa's lavapipe on the CPU). */
import * as ort from 'onnxruntime-node';
import { Graph, op, serializeModel } from '../onnx';

export const NO_WEBGPU_MESSAGE =
  'WebGPU tests skipped: onnxruntime-node could not open the WebGPU EP here. On Debian 12 install the ' +
  'software Vulkan driver Dawn accepts with `bash scripts/install-software-gpu.sh` (Mesa lavapipe 25 from ' +
  'bookworm-backports); elsewhere a GPU with a Vulkan, Metal or D3D12 driver.';

let cached: Promise<string | null> | undefined;

/** null when WebGPU works; otherwise why not (ORT's message). Checked once per process. */
export function webgpuUnavailable(): Promise<string | null> {
  cached ??= (async () => {
    const g = new Graph('probe');
    const x = g.input('x', 'float32', [2]);
    g.output(op.add(g, x, x), 'y');
    try {
      const session = await ort.InferenceSession.create(serializeModel(g), { executionProviders: ['webgpu'] });
      const y = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2), [2]) });
      await session.release();
      return (y['y']!.data as Float32Array)[1] === 4 ? null : 'WebGPU ran but returned wrong numbers';
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  })();
  return cached;
}
