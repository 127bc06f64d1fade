// Pre-annotation use-case: a run's entity predictions as pending model spans, one undoable edit.
export { preannotate, PreannotateInput, type PreannotateRuntime, type PreannotateSummary } from './preannotate';
