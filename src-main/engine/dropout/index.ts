export * from './apply';
export * from './masks';
export * from './prng';
