/** Test helper: run probe-child from TypeScript source through tsx (the built app runs out/main/probe-child.js). */
import path from 'node:path';
import type { ChildCommand } from './probe';

/** A ChildCommand that runs the probe child's TS source with tsx. */
export function tsxProbeChild(): ChildCommand {
  return {
    execPath: process.execPath,
    args: ['--import', 'tsx', path.join(import.meta.dirname, 'probe-child.ts')],
  };
}
