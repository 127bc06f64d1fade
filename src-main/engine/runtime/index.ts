export * from './errors';
export * from './feeds';
export * from './session';
export * from './tensor';
export * from './training-session';
export * from './accumulating-session';
