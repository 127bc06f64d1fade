/**
 * Electron preload (sandboxed, context-isolated): exposes exactly the contract's `Api` as `window.api`.
 * No raw ipcRenderer, no Node APIs leak into the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_CHANNEL,
  type Api,
  type ApiEvent,
  type InputOf,
  type MethodName,
  type OutputOf,
  type Result,
} from './contract';

const api: Api = {
  invoke<M extends MethodName>(method: M, input: InputOf<M>): Promise<Result<OutputOf<M>>> {
    // The main side validates `input` with zod; here we only make sure a rejected IPC call becomes data.
    return (ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, input) as Promise<Result<OutputOf<M>>>).catch(
      (error: unknown) => ({
        ok: false as const,
        error: { code: 'transport' as const, message: `IPC call ${method} failed: ${String(error)}`, method },
      }),
    );
  },
  onEvent(listener: (event: ApiEvent) => void): () => void {
    const handler = (_event: IpcRendererEvent, payload: ApiEvent): void => listener(payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('api', api);
