/**
 * Node placement, read from onnxruntime's verbose session log. The Node binding does not expose which
 * execution provider runs each node, but a session created with logSeverityLevel 0 prints it ("Node
 * placements") and every copy node the memcpy transformer inserts ("Add MemcpyToHost before X"). The log
 * goes to the process's stderr from native code, so a caller runs the session in a child process and
 * parses what it printed (see placement-child.ts).
 */

/** One node as the placement log names it. */
export interface PlacedNode {
  readonly opType: string;
  readonly name: string;
}

/** Where a session's nodes run, and the host<->device copies its graph contains. */
export interface PlacementReport {
  /** Execution provider (as ORT names it, e.g. WebGpuExecutionProvider) -> number of nodes placed there. */
  readonly nodesByProvider: Readonly<Record<string, number>>;
  /** Every node on the CPU EP of a session whose preferred provider is another one. */
  readonly cpuNodes: readonly PlacedNode[];
  /** CPU nodes that are not shape math (the ones that cost a device round trip). */
  readonly cpuComputeNodes: readonly PlacedNode[];
  /** Copies inside the graph from the device to the host (each one runs on every session.run). */
  readonly memcpyToHost: readonly string[];
  /** Copies inside the graph from the host to the device (inputs fed from the host, shape math results). */
  readonly memcpyFromHost: readonly string[];
}

/**
 * Op types ORT deliberately keeps on the CPU for shape computations (its GetCpuPreferredNodes): they read
 * and write small int64 shape tensors. Any other op on the CPU is a compute node that fell back. (A real
 * compute node of one of these types on the CPU would read device data: `memcpyToHost` then shows it.)
 */
export const SHAPE_MATH_OPS: ReadonlySet<string> = new Set([
  'Shape',
  'Size',
  'Slice',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Reshape',
  'Range',
  'ReduceProd',
  'ConstantOfShape',
  'Cast',
]);

const PLACED_ON = /Node\(s\) placed on \[(\w+)\]\. Number of nodes: (\d+)/;
const ALL_PLACED_ON = /All nodes placed on \[(\w+)\]\. Number of nodes: (\d+)/;
const NODE_LINE = /VerifyEachNodeIsAssignedToAnEp\]\s{3,}(\w+) \((.*)\)\s*$/;
const COPY_NODE = /AddCopyNode\] Add (MemcpyToHost|MemcpyFromHost) (?:before|after) (.+) for \w+/;

/** Parses the verbose log of ONE session's creation (logs of several sessions must not interleave). */
export function parsePlacementLog(log: string): PlacementReport {
  const nodesByProvider: Record<string, number> = {};
  const cpuNodes: PlacedNode[] = [];
  const memcpyToHost: string[] = [];
  const memcpyFromHost: string[] = [];
  let current: string | null = null;
  for (const line of log.split('\n')) {
    const all = ALL_PLACED_ON.exec(line);
    if (all) {
      nodesByProvider[all[1]!] = Number(all[2]);
      current = null;
      continue;
    }
    const placed = PLACED_ON.exec(line);
    if (placed) {
      current = placed[1]!;
      nodesByProvider[current] = Number(placed[2]);
      continue;
    }
    const node = NODE_LINE.exec(line);
    if (node && current !== null) {
      if (current === 'CPUExecutionProvider') cpuNodes.push({ opType: node[1]!, name: node[2]! });
      continue;
    }
    if (!line.includes('VerifyEachNodeIsAssignedToAnEp')) current = null;
    const copy = COPY_NODE.exec(line);
    if (copy) (copy[1] === 'MemcpyToHost' ? memcpyToHost : memcpyFromHost).push(copy[2]!.trim());
  }
  if (Object.keys(nodesByProvider).length === 0) {
    throw new Error(
      'no "Node placements" section in the session log: create the session with logSeverityLevel 0 and pass ' +
        "that session's stderr, not the parent's.",
    );
  }
  const cpuComputeNodes = cpuNodes.filter((n) => !SHAPE_MATH_OPS.has(n.opType));
  return { nodesByProvider, cpuNodes, cpuComputeNodes, memcpyToHost, memcpyFromHost };
}
