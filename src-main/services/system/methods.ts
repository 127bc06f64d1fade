/** Wiring of the system service (About facts, execution-provider probes, the file picker) to `system.*`. */
import { z } from 'zod';
import { defineMethod, type MethodSlice } from '../api/methods';
import { readAbout } from './about';
import { listFiles } from './files';
import { ALL_PROVIDERS, DEFAULT_PROBE_TIMEOUT_MS, probeProviders, type ChildCommand } from './probe';

export interface SystemDeps {
  /** How to start the probe child (differs between built JS, Electron and TS tests). */
  readonly probeChild: ChildCommand;
  /** Shown on the About screen. */
  readonly dataDir: string;
}

const providerSchema = z.enum(['cpu', 'webgpu', 'cuda', 'dml', 'coreml']);

/** Builds the `system.*` methods. */
export function systemMethods(
  deps: SystemDeps,
): MethodSlice<'system.about' | 'system.probeProviders' | 'system.listFiles'> {
  return {
    'system.about': defineMethod('system.about', z.strictObject({}), () => readAbout(deps.dataDir)),
    'system.probeProviders': defineMethod(
      'system.probeProviders',
      z.strictObject({
        providers: z.array(providerSchema).min(1).max(ALL_PROVIDERS.length).optional(),
        timeoutMs: z.number().int().min(1_000).max(120_000).optional(),
      }),
      async (input, ctx) => {
        const probes = await probeProviders(
          deps.probeChild,
          input.providers ?? ALL_PROVIDERS,
          input.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
          (probe) => ctx.emit({ type: 'system.probe', probe }),
        );
        return { probes };
      },
    ),
    'system.listFiles': defineMethod(
      'system.listFiles',
      z.strictObject({ dir: z.string().min(1).max(4096).optional(), showHidden: z.boolean().optional() }),
      (input) => listFiles(input.dir, input.showHidden ?? false),
    ),
  };
}
