import type { Device, WebGpuAdapter } from '../runtime';
import { availableBackends, detectWebGpuAdapter, DeviceUnavailableError } from '../runtime';
import { type CalibrationSpec, type CalibrationTarget, calibrateDevices, fastest } from './calibrate';
import type { DeviceReport } from './events';

/** GPU execution providers worth trying on this OS, best first; the CPU always ends the list. */
export function autoDeviceOrder(platform: NodeJS.Platform = process.platform): Device[] {
  if (platform === 'win32') return ['cuda', 'dml', 'webgpu', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'webgpu', 'cpu'];
  return ['cuda', 'webgpu', 'cpu'];
}

/** How `auto` finds out what this machine has; tests replace the probes. */
export interface DeviceProbes {
  /** The EPs this onnxruntime build lists. */
  readonly backends: () => readonly string[];
  /** What WebGPU would run on (child processes; ~1 s). */
  readonly webgpuAdapter: () => Promise<WebGpuAdapter>;
}

let adapterOnce: Promise<WebGpuAdapter> | undefined;

/** The real probes; the adapter is detected once per process. */
export const systemProbes: DeviceProbes = {
  backends: availableBackends,
  webgpuAdapter: () => (adapterOnce ??= detectWebGpuAdapter()),
};

export interface DeviceChoiceOptions<T> {
  /** Opens the run's session on a device (the one training uses). */
  readonly open: (device: Device) => Promise<T>;
  /** Opens a throw-away session for timing (must not take over the run's weights). */
  readonly openForCalibration: (device: Device) => Promise<CalibrationTarget>;
  /** What to time, built only when 'auto' has a GPU to compare (it plans an epoch and makes feeds). */
  readonly calibration: () => CalibrationSpec;
  readonly probes?: DeviceProbes;
  readonly platform?: NodeJS.Platform;
}

const SOFTWARE_REASON =
  "WebGPU's only adapter here is a software rasterizer (Mesa lavapipe or SwiftShader), about 40x slower than " +
  'the CPU; install your GPU vendor’s Vulkan driver, or pick WebGPU explicitly to use it anyway';

/**
 * Opens the run's session on the requested device, or for 'auto' on the fastest usable one, measured: each
 * GPU provider that opens (never a software WebGPU adapter) and the CPU run a few steps of this run's own
 * graph at its batch shape (calibrate.ts, cached per machine and shape). The report says what was measured
 * and why each other device was not used. A device named explicitly is not replaced: its error propagates.
 */
export async function chooseDevice<T>(
  requested: Device | 'auto',
  options: DeviceChoiceOptions<T>,
): Promise<{ value: T; report: DeviceReport }> {
  if (requested !== 'auto') {
    return { value: await options.open(requested), report: { requested, used: requested, notUsed: [] } };
  }
  const probes = options.probes ?? systemProbes;
  const notUsed: { device: string; reason: string }[] = [];
  const gpus: Device[] = [];
  const backends = new Set(probes.backends());
  for (const device of autoDeviceOrder(options.platform)) {
    if (device === 'cpu') continue;
    if (!backends.has(device)) {
      notUsed.push({ device, reason: `this onnxruntime-node build has no '${device}' backend` });
      continue;
    }
    if (device === 'webgpu') {
      const adapter = await probes.webgpuAdapter();
      if (adapter.kind === 'software') {
        notUsed.push({ device, reason: SOFTWARE_REASON });
        continue;
      }
      if (adapter.kind === 'none') {
        notUsed.push({ device, reason: `no WebGPU adapter: ${adapter.error ?? 'none found'}` });
        continue;
      }
    }
    gpus.push(device);
  }
  if (gpus.length === 0) {
    return { value: await options.open('cpu'), report: { requested, used: 'cpu', notUsed } };
  }
  const calibration = options.calibration();
  const onGpus = await calibrateDevices(gpus, options.openForCalibration, calibration);
  if (onGpus.every((m) => m.samplesPerSec === null)) {
    // No GPU opened: nothing to compare the CPU with, so it is not timed.
    for (const m of onGpus) if (m.samplesPerSec === null) notUsed.push({ device: m.device, reason: m.reason });
    return { value: await options.open('cpu'), report: { requested, used: 'cpu', notUsed } };
  }
  const measured = [...onGpus, ...(await calibrateDevices(['cpu'], options.openForCalibration, calibration))];
  const used = fastest(measured);
  const cpuRate = measured.find((m) => m.device === 'cpu')?.samplesPerSec ?? null;
  for (const m of measured) {
    if (m.device === used) continue;
    notUsed.push({
      device: m.device,
      reason:
        m.samplesPerSec === null
          ? m.reason
          : `measured ${m.samplesPerSec.toFixed(1)} samples/s, slower than ${used}${cpuRate !== null && m.device !== 'cpu' ? ` (cpu: ${cpuRate.toFixed(1)})` : ''}`,
    });
  }
  const rates = measured.flatMap((m) =>
    m.samplesPerSec === null ? [] : [{ device: m.device, samplesPerSec: m.samplesPerSec, cached: m.cached }],
  );
  try {
    return { value: await options.open(used), report: { requested, used, notUsed, measured: rates } };
  } catch (err) {
    // Calibration opened it a moment ago; if the real session cannot, the CPU still can.
    if (used === 'cpu' || !(err instanceof DeviceUnavailableError)) throw err;
    notUsed.push({ device: used, reason: err.message });
    return { value: await options.open('cpu'), report: { requested, used: 'cpu', notUsed, measured: rates } };
  }
}
