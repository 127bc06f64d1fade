import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlacementLog } from './placement';

// Excerpt of onnxruntime-node 1.30's verbose log for the tiny BERT training graph before the optimizer's
// non-finite guard moved off IsNaN/IsInf/Or (WebGPU over Mesa lavapipe, 2026-12-07).
const log = readFileSync(path.join(import.meta.dirname, 'fixtures', 'webgpu-placement-isnan.txt'), 'utf8');

describe('parsePlacementLog', () => {
  it('finds CPU fallbacks, tells shape math from compute, and counts in-graph copies', () => {
    const report = parsePlacementLog(log);
    expect(report.nodesByProvider).toEqual({ CPUExecutionProvider: 11, WebGpuExecutionProvider: 1185 });
    expect(report.cpuNodes).toHaveLength(11);
    expect(report.cpuComputeNodes.map((n) => n.opType)).toEqual(['IsNaN', 'IsInf', 'Or', 'IsNaN', 'IsInf', 'Or']);
    expect(report.memcpyToHost).toEqual(['loss/Add', 'optim/Sqrt']);
    expect(report.memcpyFromHost).toContain('optim/Or');
  });

  it('reads a session whose nodes all run on one provider', () => {
    const one =
      '2026-12-07 10:18:59.8 [V:onnxruntime:, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp]  All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 3';
    expect(parsePlacementLog(one)).toMatchObject({ nodesByProvider: { WebGpuExecutionProvider: 3 }, cpuNodes: [] });
  });

  it('refuses a log without placement (the session was not verbose, or another process was read)', () => {
    expect(() => parsePlacementLog('nothing here')).toThrow(/logSeverityLevel 0/);
  });
});
