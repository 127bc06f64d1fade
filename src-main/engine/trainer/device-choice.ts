import type { Device } from '../runtime';
import { DeviceUnavailableError } from '../runtime';
import type { DeviceReport } from './events';

/** GPU execution providers worth trying on this OS, best first; the CPU always ends the list. */
export function autoDeviceOrder(platform: NodeJS.Platform = process.platform): Device[] {
  if (platform === 'win32') return ['cuda', 'dml', 'webgpu', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'webgpu', 'cpu'];
  return ['cuda', 'webgpu', 'cpu'];
}

/**
 * Opens something on the requested device, or for 'auto' on the first device that works, and reports
 * which one ran and why each earlier one was not used. A device the user named explicitly is not
 * silently replaced: its error propagates.
 */
export async function openOnDevice<T>(
  requested: Device | 'auto',
  open: (device: Device) => Promise<T>,
): Promise<{ value: T; report: DeviceReport }> {
  const candidates = requested === 'auto' ? autoDeviceOrder() : [requested];
  const notUsed: { device: string; reason: string }[] = [];
  for (const device of candidates) {
    try {
      const value = await open(device);
      return { value, report: { requested, used: device, notUsed } };
    } catch (err) {
      if (requested !== 'auto' || !(err instanceof DeviceUnavailableError) || device === 'cpu') throw err;
      notUsed.push({ device, reason: err.message });
    }
  }
  throw new Error('unreachable: the CPU is always the last candidate');
}
