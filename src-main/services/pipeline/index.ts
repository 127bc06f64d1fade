export * from './read';
export * from './run-pipeline';
