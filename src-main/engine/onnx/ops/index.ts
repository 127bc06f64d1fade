export * from './elementwise';
export * from './matmul';
export * from './shape-ops';
export * from './reduce';
export * from './nn';
export * from './gather';
