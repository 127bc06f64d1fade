export * from './evaluate-run';
export * from './read';
export * from './run-dir';
export * from './run-pipeline';
export * from './hf-trainer';
export * from './curve';
export * from './self-train';
export { droppedText, formatTeacherComparison, type TeacherComparison, type TeacherScore } from './teacher-score';
