/**
 * Is the WebGPU adapter a real GPU? onnxruntime's Node API does not say, and Mesa's lavapipe (installed on
 * most Linux desktops) makes WebGPU "work" at about 1/40 of the CPU EP's speed. On Linux the Vulkan loader
 * can hide drivers from a process (VK_LOADER_DRIVERS_DISABLE, globs over driver manifest names): a child
 * that cannot open WebGPU once lavapipe and SwiftShader are hidden, when an unrestricted child can, had
 * only a software adapter.
 */
import { Graph, op, serializeModel } from '../onnx';
import { type PlacementChild, runPlacementChild } from './placement-probe';

/** Globs of the software Vulkan drivers' manifest names (lvp_icd*.json, vk_swiftshader_icd.json). */
export const SOFTWARE_VULKAN_DRIVERS = '*lvp*,*swiftshader*';

/** What WebGPU runs on here: a GPU, only a software rasterizer, nothing, or unknown (not Linux). */
export type WebGpuAdapterKind = 'hardware' | 'software' | 'none' | 'unknown';

export interface WebGpuAdapter {
  readonly kind: WebGpuAdapterKind;
  /** Why WebGPU did not open (ORT's message), when it did not. */
  readonly error?: string;
}

function probeModel(): Uint8Array {
  const g = new Graph('adapter_probe');
  const x = g.input('x', 'float32', [2]);
  g.output(op.add(g, x, x), 'y');
  return serializeModel(g);
}

/** Finds out, in child processes, what kind of adapter WebGPU would use on this machine. */
export async function detectWebGpuAdapter(
  options: { readonly child?: PlacementChild; readonly platform?: NodeJS.Platform } = {},
): Promise<WebGpuAdapter> {
  const model = probeModel();
  const open = await runPlacementChild(model, 'webgpu', { ...(options.child && { child: options.child }) });
  if (!open.ok) return { kind: 'none', error: open.error };
  if ((options.platform ?? process.platform) !== 'linux') return { kind: 'unknown' };
  const hidden = await runPlacementChild(model, 'webgpu', {
    ...(options.child && { child: options.child }),
    env: { VK_LOADER_DRIVERS_DISABLE: SOFTWARE_VULKAN_DRIVERS },
  });
  return { kind: hidden.ok ? 'hardware' : 'software' };
}
