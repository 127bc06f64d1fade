/// <reference types="svelte" />
import type { Api } from '../src-preload/contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    readonly api?: Api;
  }
}
