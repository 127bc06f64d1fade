// Test helper for `mts` commands: an environment whose output lines are captured.
import { tmpdir } from 'node:os';
import { tsxProbeChild } from '../services/system/testing';
import type { CliEnv } from './types';

export interface CapturedEnv {
  readonly value: CliEnv;
  readonly out: string[];
  readonly err: string[];
}

/** A CliEnv that collects stdout and stderr lines; the renderer folder defaults to the OS temp folder. */
export function capturedEnv(
  options: { readonly rendererDir?: string; readonly signal?: AbortSignal; readonly version?: string } = {},
): CapturedEnv {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliEnv = {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    layout: { rendererDir: options.rendererDir ?? tmpdir(), probeChild: tsxProbeChild() },
    version: options.version ?? 'test',
    signal: options.signal ?? new AbortController().signal,
  };
  return { value, out, err };
}
