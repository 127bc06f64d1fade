/** Where the built pieces live relative to an entry file in out/main (the same for node and Electron). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildCommand } from '../services/system';

export interface AppLayout {
  /** The built renderer (index.html and assets). */
  readonly rendererDir: string;
  /** How to start the execution-provider probe child. */
  readonly probeChild: ChildCommand;
}

/** Layout for an entry built into out/main (`entryUrl` is that entry's import.meta.url). */
export function builtLayout(entryUrl: string): AppLayout {
  const mainDir = path.dirname(fileURLToPath(entryUrl));
  return {
    rendererDir: path.resolve(mainDir, '../renderer'),
    probeChild: {
      // Under Electron, process.execPath is the Electron binary: ELECTRON_RUN_AS_NODE makes it a plain node.
      execPath: process.execPath,
      args: [path.join(mainDir, 'probe-child.js')],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    },
  };
}
