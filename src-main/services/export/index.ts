// Export use-case: a run's best checkpoint as a parity-checked bundle in a folder the user chose.
export { exportRun, ExportRunInput, type RunExport } from './export-run';
