import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Device, DeviceUnavailableError, hostTensor } from '../runtime';
import type { CalibrationSpec, CalibrationTarget } from './calibrate';
import { chooseDevice, type DeviceProbes } from './device-choice';

const batch = { input_ids: hostTensor('int64', new BigInt64Array(8), [2, 4]) };
const spec = (cacheFile?: string): CalibrationSpec => ({
  graphKey: 'tiny',
  batches: [batch],
  samplesPerStep: 2,
  ortVersion: 'test',
  ...(cacheFile !== undefined && { cacheFile }),
});

// A device whose steps take `ms` each (timed by calibrate), or that fails to open.
function fakeDevices(stepMs: Partial<Record<Device, number | 'fails'>>) {
  const opened: Device[] = [];
  const calibrated: Device[] = [];
  return {
    opened,
    calibrated,
    open: async (device: Device): Promise<string> => {
      opened.push(device);
      return `session on ${device}`;
    },
    openForCalibration: async (device: Device): Promise<CalibrationTarget> => {
      const ms = stepMs[device];
      if (ms === 'fails') throw new DeviceUnavailableError(device, 'no such GPU', 'use cpu');
      calibrated.push(device);
      return { run: () => new Promise((r) => setTimeout(r, ms ?? 1)), release: async () => undefined };
    },
  };
}

const probes = (adapter: 'hardware' | 'software' | 'none', backends = ['cpu', 'webgpu', 'cuda']): DeviceProbes => ({
  backends: () => backends,
  webgpuAdapter: async () =>
    adapter === 'none' ? { kind: 'none', error: 'No supported adapters' } : { kind: adapter },
});

describe('chooseDevice', () => {
  it("picks the CPU without measuring when WebGPU's only adapter is software and CUDA cannot open", async () => {
    const d = fakeDevices({ cuda: 'fails' });
    let built = 0;
    const { value, report } = await chooseDevice('auto', {
      ...d,
      calibration: () => (built++, spec()),
      probes: probes('software', ['cpu', 'webgpu']),
      platform: 'linux',
    });
    expect(value).toBe('session on cpu');
    expect(report.used).toBe('cpu');
    expect(report.notUsed.map((n) => n.device)).toEqual(['cuda', 'webgpu']);
    expect(report.notUsed[1]!.reason).toMatch(/software rasterizer.*slower than the CPU/);
    expect(d.calibrated).toEqual([]);
    expect(built).toBe(0); // nothing to compare: the epoch is not planned for a calibration
  });

  it('does not time the CPU when no GPU opens for calibration (nothing to compare it with)', async () => {
    const d = fakeDevices({ cuda: 'fails', webgpu: 'fails' });
    const { report } = await chooseDevice('auto', {
      ...d,
      calibration: () => spec(),
      probes: probes('hardware'),
      platform: 'linux',
    });
    expect(report.used).toBe('cpu');
    expect(d.calibrated).toEqual([]);
    expect(report.measured).toBeUndefined();
    expect(report.notUsed.map((n) => [n.device, n.reason])).toEqual([
      ['cuda', expect.stringMatching(/no such GPU/)],
      ['webgpu', expect.stringMatching(/no such GPU/)],
    ]);
  });

  it('measures every usable device on the run and takes the fastest, saying what each did', async () => {
    const d = fakeDevices({ cuda: 'fails', webgpu: 5, cpu: 40 });
    const { report } = await chooseDevice('auto', {
      ...d,
      calibration: () => spec(),
      probes: probes('hardware'),
      platform: 'linux',
    });
    expect(report.used).toBe('webgpu');
    expect(d.opened).toEqual(['webgpu']);
    expect(report.measured!.map((m) => m.device)).toEqual(['webgpu', 'cpu']);
    const reasons = Object.fromEntries(report.notUsed.map((n) => [n.device, n.reason]));
    expect(reasons['cuda']).toMatch(/no such GPU/);
    expect(reasons['cpu']).toMatch(/measured [\d.]+ samples\/s, slower than webgpu/);
  });

  it('keeps the CPU when it measures faster than the GPU', async () => {
    const d = fakeDevices({ webgpu: 60, cpu: 2 });
    const { report } = await chooseDevice('auto', {
      ...d,
      calibration: () => spec(),
      probes: probes('hardware', ['cpu', 'webgpu']),
      platform: 'linux',
    });
    expect(report.used).toBe('cpu');
    expect(report.notUsed.find((n) => n.device === 'webgpu')!.reason).toMatch(/slower than cpu/);
    expect(report.notUsed.find((n) => n.device === 'cuda')!.reason).toMatch(/no 'cuda' backend/);
  });

  it('reuses measurements for the same machine, graph and shape from the cache file', async () => {
    const cacheFile = join(mkdtempSync(join(tmpdir(), 'mts-calib-')), 'calibration.json');
    const first = fakeDevices({ webgpu: 2, cpu: 20 });
    await chooseDevice('auto', {
      ...first,
      calibration: () => spec(cacheFile),
      probes: probes('hardware', ['cpu', 'webgpu']),
      platform: 'linux',
    });
    expect(Object.keys(JSON.parse(readFileSync(cacheFile, 'utf8')))).toHaveLength(2);
    const second = fakeDevices({ webgpu: 2, cpu: 20 });
    const { report } = await chooseDevice('auto', {
      ...second,
      calibration: () => spec(cacheFile),
      probes: probes('hardware', ['cpu', 'webgpu']),
      platform: 'linux',
    });
    expect(second.calibrated).toEqual([]);
    expect(report.used).toBe('webgpu');
    expect(report.measured!.every((m) => m.cached)).toBe(true);
  });

  it('never replaces a device named explicitly: its own error propagates', async () => {
    const failing = {
      open: async (device: Device): Promise<string> => {
        throw new DeviceUnavailableError(device, 'Failed to get a WebGPU adapter', 'use "cpu"');
      },
      openForCalibration: async (): Promise<CalibrationTarget> => ({
        run: async () => undefined,
        release: async () => undefined,
      }),
    };
    await expect(chooseDevice('webgpu', { ...failing, calibration: () => spec() })).rejects.toThrow(
      /Failed to get a WebGPU adapter/,
    );
  });
});
