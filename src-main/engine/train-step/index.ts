export * from './build';
export * from './errors';
export * from './accumulation';
