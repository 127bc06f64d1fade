/** The system service: About facts, execution-provider probes and the file picker (wired in methods.ts). */
export { readAbout } from './about';
export { listFiles, MAX_ENTRIES } from './files';
export { ALL_PROVIDERS, DEFAULT_PROBE_TIMEOUT_MS, probeProvider, probeProviders, type ChildCommand } from './probe';
