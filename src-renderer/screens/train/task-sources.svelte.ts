/**
 * The Train screen's per-task data choices (classification from the main dataset, NER from another, and each
 * task's dev data), kept beside `selection` so they survive leaving the screen. Null = the default source.
 */
import type { DatasetId, DatasetInfo, TrainRequest, TrainSourceField } from '../../../src-preload/contract';

class TaskSourceChoice {
  nerDatasetId = $state<DatasetId | null>(null);
  devDatasetId = $state<DatasetId | null>(null);
  nerDevDatasetId = $state<DatasetId | null>(null);

  /** Forgets choices that name datasets no longer listed (another project, a deleted dataset). */
  keepOnly(datasets: readonly DatasetInfo[]): void {
    const known = (id: DatasetId | null): DatasetId | null => (datasets.some((d) => d.id === id) ? id : null);
    this.nerDatasetId = known(this.nerDatasetId);
    this.devDatasetId = known(this.devDatasetId);
    this.nerDevDatasetId = known(this.nerDevDatasetId);
  }

  /** The request fields for the choices made (absent fields: the main dataset's own splits). */
  fields(mainId: DatasetId | null): Pick<TrainRequest, TrainSourceField> {
    const other = (id: DatasetId | null): id is DatasetId => id !== null && id !== mainId;
    const nerApart = other(this.nerDatasetId);
    return {
      ...(nerApart && { nerDatasetId: this.nerDatasetId! }),
      ...(this.devDatasetId !== null && { devDatasetId: this.devDatasetId }),
      ...(nerApart && this.nerDevDatasetId !== null && { nerDevDatasetId: this.nerDevDatasetId }),
    };
  }
}

export const taskSourceChoice = new TaskSourceChoice();
