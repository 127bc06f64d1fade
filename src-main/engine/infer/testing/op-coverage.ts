// Dev helper behind `npm run op:coverage` and infer/op-coverage.test.ts: builds every graph the engine runs
// (training and accumulation for both presets and both dropout-mask modes, evaluation, inference and export in
// fp32 and int8) on the tiny BERT, collects the ops they use, and renders runtime/OP-COVERAGE.md against ORT's
// kernel registrations (runtime/fixtures/ort-kernels.json, read from microsoft/onnxruntime).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildInferenceGraph,
  buildModelAccumulationGraphs,
  buildModelEvalGraph,
  buildModelTrainingGraph,
  DEFAULT_DROPOUT,
  encoderParamSpecs,
  headParamSpecs,
  type MultiTaskSpec,
  randomTensors,
} from '../../model';
import { TINY_DIMS } from '../../model/testing';
import type { Graph, Node } from '../../onnx';
import {
  COVERAGE_PROVIDERS,
  type CoverageRow,
  type KernelFixture,
  kernelVerdict,
  type OpUse,
  opUsesOf,
  PROVIDER_NAMES,
  renderCoverageTable,
  SHAPE_MATH_OPS,
  useKey,
} from '../../runtime';
import { buildExportGraph } from '../graphs';

/** The ai.onnx opset serializeModel writes. */
export const MODEL_OPSET = 17;
export const ORT_KERNELS_FIXTURE = path.join(
  import.meta.dirname,
  '..',
  '..',
  'runtime',
  'fixtures',
  'ort-kernels.json',
);
export const OP_COVERAGE_MD = path.join(import.meta.dirname, '..', '..', 'runtime', 'OP-COVERAGE.md');

export function loadKernelFixture(file = ORT_KERNELS_FIXTURE): KernelFixture {
  return JSON.parse(readFileSync(file, 'utf8')) as KernelFixture;
}

/** A graph the engine runs, tagged by kind; `webgpu`: the app runs this kind of graph on WebGPU. */
export interface CoverageGraph {
  readonly tag: string;
  readonly name: string;
  readonly graph: Graph;
  readonly webgpu: boolean;
}

/** What each tag in the table's `graphs` column stands for. */
export const GRAPH_TAGS: Readonly<Record<string, string>> = {
  train:
    'training step, presets full and heads-only, lazy word-embedding updates, dropout masks fed from the host (the CPU EP)',
  'train/gen':
    'training step, presets full and heads-only, lazy word-embedding updates, dropout masks generated in the graph (GPUs)',
  accum: 'gradient accumulation (gradient and update graphs), host masks',
  'accum/gen': 'gradient accumulation (gradient and update graphs), generated masks',
  'train/dml': 'training step for DirectML: one-hot embedding gradients, word table frozen, generated masks',
  'accum/dml': 'gradient accumulation for DirectML',
  eval: 'evaluation forward (parameters as inputs)',
  infer: 'inference graph of the Predictor on a GPU (float32 attention mask), fp32',
  'infer/int8': 'inference graph of the Predictor, int8 dense layers',
  export: 'export bundle graph (token types, int64 mask), fp32',
  'export/int8': 'export bundle graph, int8 dense layers',
};

const MODEL: MultiTaskSpec = { dims: TINY_DIMS, numClasses: 3, numNerLabels: 5, pooling: 'mean' };

/** Every graph the engine builds, on the tiny BERT. */
export function coverageGraphs(): CoverageGraph[] {
  const out: CoverageGraph[] = [];
  for (const masks of ['host', 'generated'] as const) {
    for (const preset of ['full', 'heads-only'] as const) {
      const spec = {
        model: MODEL,
        freeze: { preset },
        clipNorm: 1,
        dropout: DEFAULT_DROPOUT,
        dropoutMasks: masks,
      };
      const gen = masks === 'generated';
      const suffix = gen ? '/gen' : '';
      out.push({
        tag: `train${suffix}`,
        name: `train ${preset} ${masks}`,
        // The trainer's default: lazy word-embedding updates (accumulation is dense).
        graph: buildModelTrainingGraph({ ...spec, embeddingUpdates: 'lazy' }).graph,
        webgpu: gen,
      });
      const acc = buildModelAccumulationGraphs(spec);
      out.push({ tag: `accum${suffix}`, name: `gradient ${preset} ${masks}`, graph: acc.gradient.graph, webgpu: gen });
      out.push({ tag: `accum${suffix}`, name: `update ${preset} ${masks}`, graph: acc.update.graph, webgpu: gen });
    }
  }
  // DirectML's training graphs: one-hot embedding gradients, the word table frozen (trainer/stepper.ts).
  const dml = {
    model: MODEL,
    freeze: { preset: 'full' as const },
    clipNorm: 1,
    dropout: DEFAULT_DROPOUT,
    dropoutMasks: 'generated' as const,
    embeddingGradient: 'one-hot' as const,
    freezeWordEmbeddings: true,
  };
  out.push({ tag: 'train/dml', name: 'train full dml', graph: buildModelTrainingGraph(dml).graph, webgpu: false });
  const dmlAcc = buildModelAccumulationGraphs(dml);
  out.push({ tag: 'accum/dml', name: 'gradient full dml', graph: dmlAcc.gradient.graph, webgpu: false });
  out.push({ tag: 'accum/dml', name: 'update full dml', graph: dmlAcc.update.graph, webgpu: false });
  out.push({ tag: 'eval', name: 'eval', graph: buildModelEvalGraph(MODEL).graph, webgpu: true });
  const store = new Map([
    ...randomTensors(encoderParamSpecs(TINY_DIMS), 3, 0.2),
    ...randomTensors(headParamSpecs(TINY_DIMS.hiddenSize, MODEL.numClasses, MODEL.numNerLabels), 4, 0.2),
  ]);
  // createInferenceSession's graph for a GPU: the attention mask as float32 (infer/runner.ts).
  const gpuMask = { maskDtype: 'float32' as const };
  out.push({ tag: 'infer', name: 'inference fp32', graph: buildInferenceGraph(MODEL, store, gpuMask), webgpu: true });
  out.push({
    tag: 'infer/int8',
    name: 'inference int8',
    graph: buildInferenceGraph(MODEL, store, { quantize: 'int8' }),
    webgpu: false,
  });
  out.push({ tag: 'export', name: 'export fp32', graph: buildExportGraph(MODEL, store), webgpu: false });
  out.push({
    tag: 'export/int8',
    name: 'export int8',
    graph: buildExportGraph(MODEL, store, { quantize: 'int8' }),
    webgpu: false,
  });
  return out;
}

/**
 * Nodes that read only host-side data: an op ORT treats as shape math (runtime/placement.ts SHAPE_MATH_OPS)
 * whose inputs are initializers, integer/bool graph inputs (fed from the host), Shape outputs (kept in CPU
 * memory) or outputs of other such nodes. ORT may run them on the CPU EP without any device->host copy, which
 * is what the WebGPU placement test (infer/webgpu.test.ts) accepts; a missing GPU kernel costs nothing there.
 */
export function hostSideNodes(graph: Graph): Set<Node> {
  const hostValues = new Set<string>();
  for (const v of graph.inputs)
    if (v.dtype !== 'float32' && v.dtype !== 'float64' && v.dtype !== 'float16') hostValues.add(v.name);
  for (const { value } of graph.initializers) hostValues.add(value.name);
  const nodes = new Set<Node>();
  for (const n of graph.nodes) {
    const host = SHAPE_MATH_OPS.has(n.opType) && n.inputs.every((v) => v === null || hostValues.has(v.name));
    if (host) nodes.add(n);
    if (host || n.opType === 'Shape') for (const out of n.outputs) hostValues.add(out.name);
  }
  return nodes;
}

/** Every node of the graphs as a use, with its graph and whether it reads host-side data only. */
export interface TaggedUse {
  readonly use: OpUse;
  readonly graph: CoverageGraph;
  readonly node: Node;
  readonly hostSide: boolean;
}

export function taggedUses(graphs: readonly CoverageGraph[]): TaggedUse[] {
  return graphs.flatMap((g) => {
    const host = hostSideNodes(g.graph);
    const uses = opUsesOf(g.graph, MODEL_OPSET);
    return g.graph.nodes.map((node, i) => ({ use: uses[i]!, graph: g, node, hostSide: host.has(node) }));
  });
}

/** Remarks on rows whose ✗ the table alone does not explain (keyed by op type and behaviour attributes). */
const REMARKS: Readonly<Record<string, string>> = {
  'ScatterND reduction=add':
    'the embedding gradient; DirectML falls back to the CPU, so its training graphs do without (trainer/stepper.ts)',
};

/**
 * One row per distinct use, in op order, with the tags of the graphs that use it. Rows WebGPU lacks a kernel
 * for say whether their nodes read host-side data only (see hostSideNodes).
 */
export function coverageRows(uses: readonly TaggedUse[], fixture: KernelFixture): CoverageRow[] {
  const groups = new Map<string, TaggedUse[]>();
  for (const u of uses) {
    const key = useKey(u.use);
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  const tagOrder = Object.keys(GRAPH_TAGS);
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, group]) => {
      const use = group[0]!.use;
      const tags = [...new Set(group.map((u) => u.graph.tag))].sort(
        (a, b) => tagOrder.indexOf(a) - tagOrder.indexOf(b),
      );
      const attrs = Object.entries(use.attrs ?? {}).map(([k, v]) => ` ${k}=${v}`);
      const remarks: (string | undefined)[] = [REMARKS[`${use.opType}${attrs.join('')}`]];
      if (kernelVerdict(fixture, 'webgpu', use).status !== 'ok') {
        const host = group.filter((u) => u.hostSide).length;
        remarks.push(
          host === group.length
            ? 'WebGPU: host-side data only: on the CPU without a device copy'
            : host > 0
              ? `WebGPU: host-side in ${host} of ${group.length} nodes`
              : undefined,
        );
      }
      const remark = remarks.filter((r) => r !== undefined).join('; ');
      return { use, graphs: tags, ...(remark !== '' && { remark }) };
    });
}

/** OP-COVERAGE.md as committed: renderOpCoverage formatted by the repo's Prettier config (so format:check passes). */
export async function renderOpCoverageFile(fixture: KernelFixture = loadKernelFixture()): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(OP_COVERAGE_MD)) ?? {};
  return prettier.format(renderOpCoverage(fixture), { ...options, filepath: OP_COVERAGE_MD });
}

/** The whole OP-COVERAGE.md, before formatting. */
export function renderOpCoverage(fixture: KernelFixture = loadKernelFixture()): string {
  const graphs = coverageGraphs();
  const uses = taggedUses(graphs);
  const rows = coverageRows(uses, fixture);
  const gaps = COVERAGE_PROVIDERS.map((p) => {
    const missing = rows.filter((r) => kernelVerdict(fixture, p, r.use).status === 'missing').length;
    const unknown = rows.filter((r) => kernelVerdict(fixture, p, r.use).status === 'unknown').length;
    return `${PROVIDER_NAMES[p]} ${missing} ✗, ${unknown} ?`;
  });
  const files = Object.entries(fixture.source.files).map(([key, f]) => {
    const at =
      'commit' in f
        ? `@ \`${String(f.commit).slice(0, 10)}\``
        : `(index id ${String((f as { indexId?: string }).indexId)})`;
    return `- \`${key}\`: \`${f.path}\` ${at}: ${f.read}`;
  });
  return [
    '<!-- Generated by `npm run op:coverage` (bench/op-coverage.ts): do not edit, rerun it. -->',
    '<!-- src-main/engine/infer/op-coverage.test.ts fails when this file differs from what the command writes now. -->',
    '',
    '# Op coverage per execution provider',
    '',
    `Every ai.onnx op the engine's graphs use (opset ${MODEL_OPSET}, built on the tiny BERT of`,
    '`engine/model/testing`), with the element types it sees, checked against the kernels ONNX Runtime registers',
    'for each execution provider. The registrations are `runtime/fixtures/ort-kernels.json`, read from',
    `\`${fixture.source.repo}\` (\`docs/OperatorKernels.md\` @ \`${fixture.source.commit.slice(0, 10)}\` for CPU, CUDA`,
    `and DirectML; the WebGPU EP's registration list @ \`${fixture.source.webgpuCommit.slice(0, 10)}\` and its kernel`,
    "sources). The check is ORT's kernel lookup: a registration whose opset range holds the model opset and whose",
    "declared type constraints admit the node's input and output types (plus ScatterND's `reduction`).",
    '',
    '- ✓ a kernel is registered; ✗ none is, with why (`int64 not registered (T1)`: the constraint T1 lacks int64);',
    '  `? unknown`: the sources read do not settle it.',
    '- WebGPU: the kernels registered with `enable_int64` off, which onnxruntime-node 1.30 cannot turn on',
    '  (DESIGN.md); with it Add, Sub, Equal, Cast (from int64), Concat, Expand, Reshape, Unsqueeze, Where,',
    '  ReduceSum, Range and Tile also take int64.',
    '- `host-side` rows read only initializers, host-fed integer inputs and Shape results: ORT keeps such',
    '  shape math on the CPU EP on purpose (runtime/placement.ts), without a device->host copy, so a missing',
    '  GPU kernel there is expected. Every other ✗ in a WebGPU-bound graph (`train/gen`, `accum/gen`, `eval`,',
    '  `infer`) would be a CPU fallback; the test asserts there is none.',
    '- A ✗ is a fallback to the CPU EP, not an error: ORT places the node on the CPU and copies across.',
    '',
    `Rows with ✗ / ?: ${gaps.join('; ')}.`,
    '',
    renderCoverageTable(fixture, rows),
    '',
    '## Graphs',
    '',
    ...Object.entries(GRAPH_TAGS).map(([tag, what]) => `- \`${tag}\`: ${what}`),
    '',
    '## What the gaps mean',
    '',
    '- DirectML registers ScatterND (16+, with the support query `QueryScatter`), but its kernel builds',
    '  `DML_OPERATOR_SCATTER_ND`, whose operator desc has no reduction: `reduction=add`, the embedding gradient,',
    '  runs on the CPU there (DESIGN.md; no ScatterElements add either). The trainer builds DirectML graphs without',
    '  it (trainer/stepper.ts `deviceGraphSpec`).',
    '- WebGPU has no int64 kernels for the shape math: Shape of the int64 ids and Slice of that shape, Unsqueeze',
    "  of the ids into ScatterND indices, ReduceProd and Cast of the generated masks' element count, Concat in the",
    '  int8 graphs. All of it reads host-side data only, so ORT runs it on the CPU without copying device data',
    "  back. The exception in kind is the inference graph's `Cast (int64 → float32)` of the attention mask: a",
    '  [batch, seq] cast on the CPU whose result is uploaded, which the placement test cannot tell from shape math',
    '  (runtime/placement.ts counts every Cast as shape math). A float32 or int32 mask input would keep it on WebGPU.',
    '- CUDA registers no int64 ReduceProd: only the generated-mask element count (host-side shape math) uses it.',
    '- The int8 graphs need MatMulInteger and QuantizeLinear: the CPU and DirectML have both; CUDA registers',
    '  MatMulInteger for int8 activations only (ours are uint8) and WebGPU neither (nor a uint8 Reshape in the',
    '  reshape.cc version read). int8 is a CPU-EP precision in this app.',
    '',
    '## Sources read',
    '',
    ...files,
    '',
  ].join('\n');
}
