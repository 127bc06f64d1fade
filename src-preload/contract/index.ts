// The whole API contract: merges the per-feature files into `ApiMethods` and `ApiEvent`; the `Api` object.
/**
 * The typed API contract between the UI and the main side. Its files import NOTHING but each other (type-only),
 * so the renderer, the preload, the main process, the HTTP server and the CLI can all depend on it without
 * pulling code along. Import it as `src-preload/contract`; every type of the feature files is re-exported here.
 *
 * Adding a method:
 *   1. add one entry to the feature's method map in src-preload/contract/<feature>.ts (e.g. `TrainMethods` in
 *      train.ts; a new feature gets its own file, added to `ApiMethods` and `ApiEvent` below),
 *   2. add one entry to the service's method slice (src-main/services/<feature>/methods.ts: zod input schema +
 *      handler), which src-main/services/app/backend.ts spreads into the method table.
 * The compiler refuses a method that has types but no handler, or a handler whose types drift.
 */
import type { AnnotateLabelEvent, AnnotateMethods } from './annotate';
import type { Result } from './core';
import type { CurvesApiEvent, CurvesMethods } from './curves';
import type { DatasetAdminMethods } from './dataset-admin';
import type { DatasetsApiEvent, DatasetsMethods } from './datasets';
import type { ExportMethods } from './export';
import type { HealthApiEvent, HealthMethods } from './health';
import type { ModelsApiEvent, ModelsMethods } from './models';
import type { PlaygroundMethods } from './playground';
import type { PreannotateApiEvent, PreannotateMethods } from './preannotate';
import type { RunsMethods } from './runs';
import type { SystemApiEvent, SystemMethods } from './system';
import type { TrainApiEvent, TrainMethods } from './train';

export type * from './annotate';
export type * from './core';
export type * from './curves';
export type * from './dataset-admin';
export type * from './datasets';
export type * from './export';
export type * from './health';
export type * from './models';
export type * from './playground';
export type * from './preannotate';
export type * from './runs';
export type * from './system';
export type * from './train';

// ---------------------------------------------------------------------------------------------------------
// The method table. Keys are `<service>.<verb>`; they are also the HTTP paths (POST /api/<method>).

export interface ApiMethods
  extends
    SystemMethods,
    DatasetsMethods,
    DatasetAdminMethods,
    AnnotateMethods,
    PreannotateMethods,
    TrainMethods,
    RunsMethods,
    PlaygroundMethods,
    ExportMethods,
    HealthMethods,
    ModelsMethods,
    CurvesMethods {}

export type MethodName = keyof ApiMethods;
export type InputOf<M extends MethodName> = ApiMethods[M]['input'];
export type OutputOf<M extends MethodName> = ApiMethods[M]['output'];

// ---------------------------------------------------------------------------------------------------------
// Events pushed from the main side (IPC `api:event` / WebSocket /api/events). A discriminated union on
// `type`; each feature file declares its own members (e.g. 'datasets.import', 'train.progress').

export type ApiEvent =
  | SystemApiEvent
  | DatasetsApiEvent
  | AnnotateLabelEvent
  | PreannotateApiEvent
  | TrainApiEvent
  | HealthApiEvent
  | ModelsApiEvent
  | CurvesApiEvent;

export type ApiEventType = ApiEvent['type'];

// ---------------------------------------------------------------------------------------------------------
// The object the UI talks to. Electron exposes it as `window.api` through the preload; browser mode builds
// one over HTTP + WebSocket. The UI cannot tell them apart.

export interface Api {
  /** Calls one method; never rejects: transport failures come back as `{ ok: false, error: { code: 'transport' } }`. */
  invoke<M extends MethodName>(method: M, input: InputOf<M>): Promise<Result<OutputOf<M>>>;
  /** Subscribes to pushed events; returns the function that unsubscribes. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

/** IPC channel names shared by the preload and the main process. */
export const IPC_INVOKE_CHANNEL = 'api:invoke';
export const IPC_EVENT_CHANNEL = 'api:event';

/** Browser mode paths shared by the server and the browser client. */
export const HTTP_API_PREFIX = '/api/';
export const WS_EVENTS_PATH = '/api/events';
/** Request header carrying the per-launch token in browser mode. */
export const TOKEN_HEADER = 'x-mts-token';
