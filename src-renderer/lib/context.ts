/** The `Api` handed to every component through Svelte context (no globals, easy to swap in tests). */
import { createContext } from 'svelte';
import type { Api } from '../../src-preload/contract';

export const [getApi, setApi] = createContext<Api>();
