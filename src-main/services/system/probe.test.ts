import { describe, expect, it } from 'vitest';
import { probeProvider, probeProviders, type ChildCommand } from './probe';
import { tsxProbeChild } from './testing';

const nodeEval = (code: string): ChildCommand => ({ execPath: process.execPath, args: ['-e', code] });

describe('probeProvider', () => {
  it('reports the CPU provider as available with the onnxruntime version', async () => {
    const probe = await probeProvider(tsxProbeChild(), 'cpu', 30_000);
    expect(probe).toMatchObject({ provider: 'cpu', status: 'available', ortVersion: '1.30.0' });
  });

  it("reports a provider this build lacks as unavailable with onnxruntime's own error text", async () => {
    const probe = await probeProvider(tsxProbeChild(), 'dml', 30_000);
    expect(probe.status).toBe('unavailable');
    if (probe.status === 'unavailable') expect(probe.error).toMatch(/dml/);
  });

  it('kills a hanging probe and reports a timeout', async () => {
    const started = Date.now();
    const probe = await probeProvider(nodeEval('setTimeout(() => {}, 60000)'), 'cuda', 1_000);
    expect(probe).toEqual({ provider: 'cuda', status: 'timeout', afterMs: 1_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('reports a native crash with its signal and stderr instead of failing', async () => {
    const probe = await probeProvider(nodeEval('console.error("boom from driver"); process.abort()'), 'webgpu', 10_000);
    expect(probe.status).toBe('crashed');
    if (probe.status === 'crashed') expect(probe.detail).toMatch(/SIGABRT[\s\S]*boom from driver/);
  });

  it('treats output that is not the report protocol as a crash', async () => {
    const probe = await probeProvider(nodeEval('console.log("{not json")'), 'coreml', 10_000);
    expect(probe.status).toBe('crashed');
  });

  it('reports a child that cannot start', async () => {
    const probe = await probeProvider({ execPath: '/nonexistent/node', args: [] }, 'cpu', 10_000);
    expect(probe.status).toBe('crashed');
    if (probe.status === 'crashed') expect(probe.detail).toMatch(/could not start/);
  });
});

describe('probeProviders', () => {
  it('probes each provider once and streams each result', async () => {
    const seen: string[] = [];
    const probes = await probeProviders(tsxProbeChild(), ['cpu', 'coreml'], 30_000, (p) => seen.push(p.provider));
    expect(probes.map((p) => p.provider)).toEqual(['cpu', 'coreml']);
    expect(seen.sort()).toEqual(['coreml', 'cpu']);
  });

  it('says whether WebGPU runs on a software adapter (the child sees no Vulkan driver but the software ones)', async () => {
    // A fake child: WebGPU "works" unless the software drivers are hidden from it.
    const script = `const hidden = (process.env.VK_LOADER_DRIVERS_DISABLE ?? '').includes('lvp');
      process.stdout.write(JSON.stringify(hidden ? { ok: false, error: 'No supported adapters', ms: 1 } : { ok: true, ortVersion: '1.30.0', ms: 1 }) + '\\n');`;
    const child: ChildCommand = { execPath: process.execPath, args: ['-e', script] };
    const [linux] = await probeProviders(child, ['webgpu'], 30_000, () => undefined, 'linux');
    expect(linux).toMatchObject({ provider: 'webgpu', status: 'available', adapter: 'software' });
    const [mac] = await probeProviders(child, ['webgpu'], 30_000, () => undefined, 'darwin');
    expect(mac).toMatchObject({ status: 'available', adapter: 'unknown' });
    const [cpu] = await probeProviders(child, ['cpu'], 30_000, () => undefined, 'linux');
    expect(cpu).not.toHaveProperty('adapter');
  });
});
