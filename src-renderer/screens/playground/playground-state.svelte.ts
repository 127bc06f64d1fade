/** State of the Playground: which run, the pasted text, its prediction and its nearest dev examples. */
import type { NearestInfo, PredictionInfo, RunId } from '../../../src-preload/contract';
import { RunPickerState } from '../runs/run-picker.svelte';
import { selection } from '../runs/selection.svelte';

export class PlaygroundState extends RunPickerState {
  text = $state('');
  /** int8 runs the encoder faster on CPU with slightly different numbers (the export's int8 models). */
  int8 = $state(false);
  predicting = $state(false);
  /** The prediction and the exact text it was made for (the box may have changed since). */
  result = $state.raw<{ readonly text: string; readonly runId: RunId; readonly prediction: PredictionInfo } | null>(
    null,
  );
  nearest = $state.raw<NearestInfo | null>(null);
  nearestLoading = $state(false);

  protected runChanged(): void {
    this.result = null;
    this.nearest = null;
  }

  async predict(): Promise<void> {
    const runId = selection.runId;
    const text = this.text;
    if (runId === null || text.trim() === '' || this.predicting) return;
    this.error = null;
    this.predicting = true;
    const result = await this.api.invoke('playground.predict', {
      runId,
      text,
      precision: this.int8 ? 'int8' : 'fp32',
    });
    this.predicting = false;
    if (!result.ok) return this.fail(result.error);
    this.result = { text, runId, prediction: result.value };
    this.nearest = null;
  }

  async findNearest(): Promise<void> {
    const r = this.result;
    if (r === null) return;
    this.nearestLoading = true;
    const result = await this.api.invoke('playground.nearest', { runId: r.runId, text: r.text, k: 5 });
    this.nearestLoading = false;
    if (!result.ok) return this.fail(result.error);
    this.nearest = result.value;
  }
}
