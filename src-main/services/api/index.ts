/** The services' shared API plumbing: method definitions, the dispatcher, the error boundary, events. */
export { createDispatcher, type Dispatch } from './dispatch';
export { issueLines, parseInput, ServiceError, toApiError, type ErrorCode } from './errors';
export { EventHub } from './events';
export { datasetId, exampleId, projectId, runId, spanId } from './ids';
export { defineMethod, type MethodDef, type MethodSlice, type MethodTable, type ServiceContext } from './methods';
