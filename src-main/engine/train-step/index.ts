export * from './build';
export * from './errors';
