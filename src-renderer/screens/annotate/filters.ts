/** The list filters as the screen holds them ('' = any), and their translation to the contract's filter. */
import type { DatasetId, ExampleStatus, ListExamplesInput, SpanSource, Split } from '../../../src-preload/contract';

export interface Filters {
  readonly split: Split | '';
  readonly classLabel: string;
  readonly entityType: string;
  readonly spanSource: SpanSource | '';
  readonly status: ExampleStatus | '';
  readonly modelDisagrees: boolean;
  readonly contains: string;
  readonly order: 'line' | 'modelConfidence';
}

export const NO_FILTERS: Filters = {
  split: '',
  classLabel: '',
  entityType: '',
  spanSource: '',
  status: '',
  modelDisagrees: false,
  contains: '',
  order: 'line',
};

/** The `annotate.listExamples` input for one page under these filters. */
export function listInput(datasetId: DatasetId, f: Filters, offset: number, limit: number): ListExamplesInput {
  return {
    datasetId,
    ...(f.split === '' ? {} : { split: f.split }),
    ...(f.classLabel === '' ? {} : { classLabel: f.classLabel }),
    ...(f.entityType === '' ? {} : { entityType: f.entityType }),
    ...(f.spanSource === '' ? {} : { spanSource: f.spanSource }),
    ...(f.status === '' ? {} : { status: f.status }),
    ...(f.modelDisagrees ? { modelDisagrees: true } : {}),
    ...(f.contains === '' ? {} : { contains: f.contains }),
    order: f.order,
    offset,
    limit,
  };
}

/** Entity types offered before a dataset has any (the silver labeler's and CoNLL's). */
export const DEFAULT_ENTITY_TYPES: readonly string[] = ['PER', 'ORG', 'LOC', 'MISC', 'DATE', 'MONEY'];

/** Defaults first (stable keys across datasets), then the dataset's other types alphabetically. */
export function entityTypesOf(present: readonly string[]): readonly string[] {
  const extra = present.filter((t) => !DEFAULT_ENTITY_TYPES.includes(t)).sort();
  return [...DEFAULT_ENTITY_TYPES, ...extra];
}
