/** One line per task saying which datasets a run trained and evaluated it on. */
import type { RunDataInfo } from '../../../src-preload/contract';

export interface RunDataLine {
  readonly task: 'Classification' | 'Entities';
  /** 'trained on the train split of "news", evaluated on every example of "news-dev"'. */
  readonly text: string;
  /** A dataset of this task was deleted since the run. */
  readonly deleted: boolean;
}

const where = (d: RunDataInfo): string =>
  d.split === null ? `every example of "${d.datasetName}"` : `the ${d.split} split of "${d.datasetName}"`;

/** The run's data per task, train source then dev source; tasks the run did not train are left out. */
export function runDataLines(data: readonly RunDataInfo[]): RunDataLine[] {
  const out: RunDataLine[] = [];
  for (const [task, name] of [
    ['classification', 'Classification'],
    ['ner', 'Entities'],
  ] as const) {
    const train = data.find((d) => d.role === `${task}-train`);
    const dev = data.find((d) => d.role === `${task}-dev`);
    if (!train) continue;
    out.push({
      task: name,
      text: `trained on ${where(train)}${dev ? `, evaluated on ${where(dev)}` : ''}`,
      deleted: train.datasetId === null || dev?.datasetId === null,
    });
  }
  return out;
}
