/** Measures a graph's node placement on a device by creating its session in a child process (placement.ts). */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtEntry } from './built-entry';
import { parsePlacementLog, type PlacementReport } from './placement';
import type { Device, OutputLocation } from './session';

/** How to start the placement child (node with tsx for TS sources). */
export interface PlacementChild {
  readonly execPath: string;
  readonly args: readonly string[];
}

/** The child run from this source tree through tsx (tests, benchmarks, gpu:check). */
export function tsxPlacementChild(): PlacementChild {
  return {
    execPath: process.execPath,
    args: ['--import', 'tsx', path.join(import.meta.dirname, 'placement-child.ts')],
  };
}

/** The child beside this module: TS source through tsx, or the built out/main/placement-child.js. */
export function defaultPlacementChild(): PlacementChild {
  const built = builtEntry(import.meta.url, 'placement-child.js');
  return built === null ? tsxPlacementChild() : { execPath: process.execPath, args: [built] };
}

/** Creates `modelBytes` on `device` in a child and returns where ORT placed each node. */
export async function probePlacement(
  modelBytes: Uint8Array,
  device: Device,
  options: {
    readonly outputLocations?: Readonly<Record<string, OutputLocation>>;
    readonly child?: PlacementChild;
  } = {},
): Promise<PlacementReport> {
  const result = await runPlacementChild(modelBytes, device, options);
  if (!result.ok) throw new Error(`the placement child could not create the session on '${device}': ${result.error}`);
  return parsePlacementLog(result.log);
}

/** The outcome of creating one session in a child: its verbose log, or ORT's error. */
export type ChildSessionResult =
  { readonly ok: true; readonly log: string } | { readonly ok: false; readonly error: string };

/** Creates `modelBytes` on `device` in a child process (extra `env` on top of this process's). */
export async function runPlacementChild(
  modelBytes: Uint8Array,
  device: Device,
  options: {
    readonly outputLocations?: Readonly<Record<string, OutputLocation>>;
    readonly child?: PlacementChild;
    readonly env?: Readonly<Record<string, string>>;
  } = {},
): Promise<ChildSessionResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mts-placement-'));
  try {
    const modelPath = path.join(dir, 'model.onnx');
    writeFileSync(modelPath, modelBytes);
    const args = [modelPath, device];
    if (options.outputLocations) {
      const locationsPath = path.join(dir, 'locations.json');
      writeFileSync(locationsPath, JSON.stringify(options.outputLocations));
      args.push(locationsPath);
    }
    const child = options.child ?? defaultPlacementChild();
    // Under Electron, process.execPath is the Electron binary: ELECTRON_RUN_AS_NODE makes it a plain node.
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...options.env };
    const { code, stdout, stderr } = await run(child.execPath, [...child.args, ...args], env);
    if (code === 0) return { ok: true, log: stderr };
    return { ok: false, error: childError(stdout) ?? `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The child's last stdout line is {"ok":false,"error":...} when ORT refused the session.
function childError(stdout: string): string | undefined {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    const parsed = JSON.parse(last) as { readonly error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

function run(
  execPath: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
