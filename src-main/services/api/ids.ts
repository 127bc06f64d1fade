/**
 * Brands the store's plain row ids as the contract's id types (src-preload/contract). Ids are numbers at run
 * time; the brand only keeps a RunId from being passed where a ProjectId is expected. One definition, used
 * by every feature's methods.ts.
 */
import type { DatasetId, ExampleId, ProjectId, RunId, SpanId } from '../../../src-preload/contract';

export const projectId = (id: number): ProjectId => id as ProjectId;
export const datasetId = (id: number): DatasetId => id as DatasetId;
export const exampleId = (id: number): ExampleId => id as ExampleId;
export const spanId = (id: number): SpanId => id as SpanId;
export const runId = (id: number): RunId => id as RunId;
