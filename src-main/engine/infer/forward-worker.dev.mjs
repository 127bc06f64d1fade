// Development entry for the forward pool's worker: registers tsx inside the worker thread (loader flags given
// to the parent are not applied to workers on Node 20), then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./forward-worker.ts');
