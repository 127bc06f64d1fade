/** Wiring of the export service (services/export) to the contract: `export.run`. */
import { filesOnDisk } from '../../engine/infer';
import type { DbHandle } from '../app/db';
import { defineMethod, type MethodSlice } from '../api/methods';
import { exportRun, ExportRunInput } from '.';

/** Builds `export.run`: the run's bundle in a folder the user chose, with its files and parity result. */
export function exportMethods(db: DbHandle): MethodSlice<'export.run'> {
  return {
    'export.run': defineMethod('export.run', ExportRunInput, async (input) => {
      const r = await exportRun(db.get(), input);
      return {
        outDir: r.outDir,
        files: filesOnDisk(r.outDir, r.files),
        parity: r.parity,
        worstParity: r.worstParity,
        sha256: r.artifact.sha256,
        ...(r.int8Drift && { int8Agreement: r.int8Drift }),
      };
    }),
  };
}
