// Annotation use-cases: undoable edits, label-all, silver labelling, model predictions, undo/redo.
export * from './schemas';
export {
  addSpan,
  removeSpan,
  rejectSpan,
  relabelSpan,
  acceptSpan,
  setClassLabel,
  acceptExample,
  setExampleStatus,
} from './edits';
export { labelAllOccurrences, type LabelAllResult } from './labelAll';
export { labelDataset, type LabelDatasetEvent, type LabelRuntime, type LabelSummary } from './label';
export { applyModelPredictions, type ApplyPredictionsSummary } from './model';
export { undo, redo, history, type UndoResult } from './history';
