import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectWebGpuAdapter, SOFTWARE_VULKAN_DRIVERS } from './adapter';
import type { PlacementChild } from './placement-probe';
import { webgpuUnavailable } from './webgpu-testing';

// A stand-in child that opens "WebGPU" only where the env allows, to check the decision without a GPU.
function fakeChild(works: 'always' | 'only-with-software' | 'never'): PlacementChild {
  const script = `
    const hidden = process.env.VK_LOADER_DRIVERS_DISABLE === ${JSON.stringify(SOFTWARE_VULKAN_DRIVERS)};
    const ok = ${JSON.stringify(works)} === 'always' || (${JSON.stringify(works)} === 'only-with-software' && !hidden);
    process.stdout.write(ok ? '{"ok":true}\\n' : JSON.stringify({ ok: false, error: 'No supported adapters' }) + '\\n');
    process.exitCode = ok ? 0 : 1;`;
  return { execPath: process.execPath, args: ['-e', script] };
}

describe('detectWebGpuAdapter', () => {
  it('calls an adapter software when WebGPU opens only while software Vulkan drivers are visible', async () => {
    expect(await detectWebGpuAdapter({ child: fakeChild('only-with-software'), platform: 'linux' })).toEqual({
      kind: 'software',
    });
    expect(await detectWebGpuAdapter({ child: fakeChild('always'), platform: 'linux' })).toEqual({ kind: 'hardware' });
    expect(await detectWebGpuAdapter({ child: fakeChild('never'), platform: 'linux' })).toEqual({
      kind: 'none',
      error: 'No supported adapters',
    });
    expect(await detectWebGpuAdapter({ child: fakeChild('always'), platform: 'win32' })).toEqual({ kind: 'unknown' });
  });

  it('finds the software adapter on a Linux machine without a GPU (lavapipe in CI)', async (ctx) => {
    const hasGpuNode = existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
    if (process.platform !== 'linux' || hasGpuNode || (await webgpuUnavailable()) !== null) return ctx.skip();
    expect((await detectWebGpuAdapter()).kind).toBe('software');
  });
});
