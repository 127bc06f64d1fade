export * from './dtype';
export * from './shape';
export * from './errors';
export * from './graph';
export * from './serialize';
export * as op from './ops';
