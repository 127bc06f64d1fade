export * from './adamw';
export * from './clip';
export * from './schedule';
