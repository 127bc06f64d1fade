/** State of the Export screen: which run, the target folder, and the written bundle with its parity check. */
import type { ExportResultInfo } from '../../../src-preload/contract';
import { RunPickerState } from '../runs/run-picker.svelte';
import { selection } from '../runs/selection.svelte';

export class ExportState extends RunPickerState {
  name = $state('');
  overwrite = $state(false);
  int8 = $state(false);
  exporting = $state(false);
  result = $state.raw<ExportResultInfo | null>(null);

  protected runChanged(): void {
    this.result = null;
  }

  setFolder(folder: string): void {
    selection.exportFolder = folder;
    selection.save();
  }

  async run(): Promise<void> {
    const runId = selection.runId;
    const folder = selection.exportFolder.trim();
    if (runId === null || folder === '' || this.exporting) return;
    this.error = null;
    this.result = null;
    this.exporting = true;
    const name = this.name.trim();
    const result = await this.api.invoke('export.run', {
      runId,
      folder,
      ...(name !== '' && { name }),
      overwrite: this.overwrite,
      int8: this.int8,
    });
    this.exporting = false;
    if (!result.ok) return this.fail(result.error);
    this.result = result.value;
  }
}
