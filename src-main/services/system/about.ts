/** "About this machine": versions and hardware facts that are cheap to read (no sessions are created). */
import os from 'node:os';
import type { AboutInfo } from '../../../src-preload/contract';
import { version as appVersion } from '../../../package.json';

/** Collects the About facts; loads onnxruntime-node lazily to read its version and built-in backends. */
export async function readAbout(dataDir: string): Promise<AboutInfo> {
  const ort = await import('onnxruntime-node');
  const cpus = os.cpus();
  return {
    appVersion,
    runtime: process.versions.electron === undefined ? 'node' : 'electron',
    versions: {
      node: process.versions.node,
      electron: process.versions.electron ?? null,
      chrome: process.versions.chrome ?? null,
      v8: process.versions.v8,
      onnxruntimeNode: ort.env.versions.node ?? ort.env.versions.common,
    },
    platform: { os: process.platform, arch: process.arch, release: os.release() },
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length },
    memory: { totalBytes: os.totalmem(), freeBytes: os.freemem() },
    dataDir,
    ortBackends: ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled })),
  };
}
