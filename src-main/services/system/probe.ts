/**
 * Probes execution providers, each in its own child process with a timeout, so a provider that crashes
 * (native abort) or hangs (driver wait) is reported instead of taking the server or the app down.
 */
import { spawn } from 'node:child_process';
import type { ExecutionProviderName, ProviderProbe } from '../../../src-preload/contract';
import { SOFTWARE_VULKAN_DRIVERS } from '../../engine/runtime';
import { probeChildReportSchema } from './probe-report';

/** How to start probe-child: the built JS file under node/Electron, or the TS source through tsx in tests. */
export interface ChildCommand {
  readonly execPath: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export const ALL_PROVIDERS: readonly ExecutionProviderName[] = ['cpu', 'webgpu', 'cuda', 'dml', 'coreml'];
export const DEFAULT_PROBE_TIMEOUT_MS = 20_000;
const STDERR_KEEP = 4_000;

// eslint-disable-next-line no-control-regex -- ORT colours its log lines; strip the escapes for display.
const ANSI = /\u001b\[[0-9;]*m/g;

function tail(text: string, max: number): string {
  const clean = text.replace(ANSI, '').trim();
  return clean.length > max ? `…${clean.slice(-max)}` : clean;
}

/** Runs one probe child and classifies its outcome. */
export function probeProvider(
  child: ChildCommand,
  provider: ExecutionProviderName,
  timeoutMs: number,
): Promise<ProviderProbe> {
  return new Promise((resolve) => {
    const started = performance.now();
    const proc = spawn(child.execPath, [...child.args, provider], {
      env: { ...process.env, ...child.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (probe: ProviderProbe): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(probe);
    };
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      finish({ provider, status: 'timeout', afterMs: timeoutMs });
    }, timeoutMs);
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = tail(stderr + chunk, STDERR_KEEP)));
    proc.on('error', (error) => finish({ provider, status: 'crashed', detail: `could not start: ${error.message}` }));
    proc.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      const parsed = line === '' ? undefined : probeChildReportSchema.safeParse(safeJson(line));
      if (parsed?.success === true) {
        const report = parsed.data;
        finish(
          report.ok
            ? { provider, status: 'available', ortVersion: report.ortVersion, ms: Math.round(report.ms) }
            : {
                provider,
                status: 'unavailable',
                error: report.error.trim(),
                log: tail(stderr, 1_000),
                ms: Math.round(report.ms),
              },
        );
        return;
      }
      const how = signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}`;
      const took = Math.round(performance.now() - started);
      finish({ provider, status: 'crashed', detail: `probe ${how} after ${took} ms. ${tail(stderr, 1_000)}`.trim() });
    });
  });
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined; // not JSON: the caller reports the child as crashed with its stderr
  }
}

/**
 * For a WebGPU probe that worked: probes again with the software Vulkan drivers hidden from the child
 * (Linux). If WebGPU then fails, its only adapter was a software rasterizer.
 */
async function withAdapterKind(
  child: ChildCommand,
  probe: ProviderProbe,
  timeoutMs: number,
  platform: NodeJS.Platform,
): Promise<ProviderProbe> {
  if (probe.provider !== 'webgpu' || probe.status !== 'available') return probe;
  if (platform !== 'linux') return { ...probe, adapter: 'unknown' };
  const hidden = { ...child, env: { ...child.env, VK_LOADER_DRIVERS_DISABLE: SOFTWARE_VULKAN_DRIVERS } };
  const again = await probeProvider(hidden, 'webgpu', timeoutMs);
  return { ...probe, adapter: again.status === 'available' ? 'hardware' : 'software' };
}

/** Probes each provider in parallel; `onProbe` sees each result as soon as it is known. */
export async function probeProviders(
  child: ChildCommand,
  providers: readonly ExecutionProviderName[],
  timeoutMs: number,
  onProbe: (probe: ProviderProbe) => void,
  platform: NodeJS.Platform = process.platform,
): Promise<readonly ProviderProbe[]> {
  return Promise.all(
    providers.map(async (provider) => {
      const probe = await withAdapterKind(child, await probeProvider(child, provider, timeoutMs), timeoutMs, platform);
      onProbe(probe);
      return probe;
    }),
  );
}
