// Dataset use-cases: import, preview, export, listing, examples and statistics.
export * from './schemas';
export {
  importDataset,
  sha256File,
  type ImportDatasetEvent,
  type ImportRuntime,
  type ImportSummary,
  type Importer,
} from './import';
export { previewFile } from './preview';
export { exportDataset, ExportDatasetInput } from './export';
export {
  listDatasets,
  getDataset,
  deleteDataset,
  listIncompleteImports,
  discardIncompleteImports,
  resplitDataset,
} from './manage';
export {
  listExamples,
  getExample,
  datasetStats,
  ListExamplesInput,
  StatsInput,
  ExampleIdInput,
  type ExamplePage,
} from './examples';
export { checkImportPath, resolveExportPath } from './paths';
export { stratifiedSplits, type SplitRatios } from './splits';
