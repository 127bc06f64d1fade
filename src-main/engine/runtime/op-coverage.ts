/**
 * Which execution providers have a kernel for each op (and input/output dtypes) the engine's graphs use, judged
 * against ONNX Runtime's kernel registrations as read from its sources (fixtures/ort-kernels.json). Pure
 * functions: the graphs and the fixture come from the caller (engine/infer/testing/op-coverage.ts builds the
 * graphs; `npm run op:coverage` writes OP-COVERAGE.md from renderCoverageTable).
 *
 * The check is ORT's kernel-lookup rule: a registration whose opset range contains the model's opset and whose
 * declared type constraints admit the node's types. A constraint the registration does not declare is not
 * checked (ORT does not check it either); the schema's fixed-type inputs (shapes, axes) are not checked.
 */
import type { Graph } from '../onnx';

export type Provider = 'cpu' | 'cuda' | 'dml' | 'webgpu';
export const PROVIDERS: readonly Provider[] = ['cpu', 'cuda', 'dml', 'webgpu'];
export const PROVIDER_NAMES: Readonly<Record<Provider, string>> = {
  cpu: 'CPU',
  cuda: 'CUDA',
  dml: 'DML',
  webgpu: 'WebGPU',
};

/** One kernel registration: opset range [since, until] (null: open-ended), allowed types per constraint. */
export interface KernelEntry {
  readonly since: number;
  readonly until: number | null;
  /** Type constraint name -> element types as ORT spells them ('float', 'double', 'int64', ...). */
  readonly types: Readonly<Record<string, readonly string[]>>;
  /** Attribute values the kernel implements, where the source restricts them (e.g. ScatterND reduction). */
  readonly attrs?: Readonly<Record<string, readonly string[]>>;
  readonly note?: string;
  /** Keys of `source.files` the entry was read from, joined by '+'. */
  readonly src?: string;
}

/** The op schema's type constraint per input/output position (null: a fixed type such as a shape input). */
export interface OpSignature {
  readonly inputs: readonly (string | null)[];
  readonly outputs: readonly (string | null)[];
  /** The last input repeats (Concat, Max, Min). */
  readonly variadic?: boolean;
  /** Default attribute values; a node with another value needs the kernel to list it under `attrs`. */
  readonly attrDefaults?: Readonly<Record<string, string>>;
}

export interface KernelFixture {
  readonly about: string;
  /** The opset the kept registrations were chosen for. */
  readonly opset: number;
  readonly source: {
    readonly repo: string;
    readonly commit: string;
    readonly webgpuCommit: string;
    readonly files: Readonly<Record<string, { readonly path: string; readonly read: string }>>;
  };
  readonly signatures: Readonly<Record<string, OpSignature>>;
  /** Provider -> op -> registrations; [] = no kernel; a missing op = not looked up (unknown). */
  readonly providers: Readonly<Record<Provider, Readonly<Record<string, readonly KernelEntry[]>>>>;
}

/** One way the graphs use an op: its type, the model opset, element types in and out, string attributes. */
export interface OpUse {
  readonly opType: string;
  readonly opset: number;
  /** Engine dtype names ('float32', 'int64', ...); null for an omitted optional input. */
  readonly inputDtypes: readonly (string | null)[];
  readonly outputDtypes: readonly string[];
  /** String attributes that select behaviour (ScatterND reduction). */
  readonly attrs?: Readonly<Record<string, string>>;
}

export type Verdict =
  | { readonly status: 'ok'; readonly entry: KernelEntry }
  | { readonly status: 'missing'; readonly reason: string }
  | { readonly status: 'unknown'; readonly reason: string };

const ORT_TYPE: Readonly<Record<string, string>> = { float32: 'float', float64: 'double' };

/** ORT's spelling of an engine dtype (float32 -> float, float64 -> double, the rest unchanged). */
export function ortTypeName(dtype: string): string {
  return ORT_TYPE[dtype] ?? dtype;
}

/** The registration ORT would pick for the opset: the latest `since` whose range contains it. */
export function kernelFor(entries: readonly KernelEntry[], opset: number): KernelEntry | undefined {
  return entries
    .filter((e) => e.since <= opset && (e.until === null || e.until >= opset))
    .sort((a, b) => b.since - a.since)[0];
}

function constraintAt(list: readonly (string | null)[], i: number, variadic: boolean): string | null {
  if (i < list.length) return list[i] ?? null;
  return variadic ? (list[list.length - 1] ?? null) : null;
}

/** Whether `provider` has a kernel for the use, and why not. */
export function kernelVerdict(fixture: KernelFixture, provider: Provider, use: OpUse): Verdict {
  if (use.opset !== fixture.opset) {
    return { status: 'unknown', reason: `fixture holds opset-${fixture.opset} registrations only` };
  }
  const entries = fixture.providers[provider][use.opType];
  const signature = fixture.signatures[use.opType];
  if (entries === undefined || signature === undefined) {
    return { status: 'unknown', reason: 'registry not read for this op' };
  }
  if (entries.length === 0) return { status: 'missing', reason: 'no kernel' };
  const entry = kernelFor(entries, use.opset);
  if (entry === undefined) return { status: 'missing', reason: `no kernel for opset ${use.opset}` };
  const check = (dtypes: readonly (string | null)[], constraints: readonly (string | null)[], variadic: boolean) => {
    for (const [i, dtype] of dtypes.entries()) {
      const name = constraintAt(constraints, i, variadic);
      const allowed = name === null ? undefined : entry.types[name];
      if (dtype === null || name === null || allowed === undefined) continue;
      if (!allowed.includes(ortTypeName(dtype))) return `${dtype} not registered (${name})`;
    }
    return null;
  };
  const typeProblem =
    check(use.inputDtypes, signature.inputs, signature.variadic ?? false) ??
    check(use.outputDtypes, signature.outputs, false);
  if (typeProblem !== null) return { status: 'missing', reason: typeProblem };
  for (const [name, value] of Object.entries(use.attrs ?? {})) {
    if (signature.attrDefaults?.[name] === value) continue;
    const supported = entry.attrs?.[name];
    if (supported === undefined) return { status: 'unknown', reason: `${name}=${value} not checked in the source` };
    if (!supported.includes(value)) return { status: 'missing', reason: `${name}=${value} not supported` };
  }
  return { status: 'ok', entry };
}

/** Per provider, the uses that have no kernel (or whose kernel could not be determined). */
export function missingKernels(
  fixture: KernelFixture,
  uses: readonly OpUse[],
): Record<Provider, { readonly use: OpUse; readonly verdict: Exclude<Verdict, { status: 'ok' }> }[]> {
  const out = Object.fromEntries(PROVIDERS.map((p) => [p, []])) as unknown as Record<
    Provider,
    { readonly use: OpUse; readonly verdict: Exclude<Verdict, { status: 'ok' }> }[]
  >;
  for (const use of uses) {
    for (const provider of PROVIDERS) {
      const verdict = kernelVerdict(fixture, provider, use);
      if (verdict.status !== 'ok') out[provider].push({ use, verdict });
    }
  }
  return out;
}

/** The string attributes that select a kernel's behaviour, per op (only these are compared). */
const BEHAVIOUR_ATTRS: Readonly<Record<string, readonly string[]>> = { ScatterND: ['reduction'] };

/** One OpUse per node of the graph (ai.onnx domain only; duplicates kept: see uniqueUses). */
export function opUsesOf(graph: Graph, opset: number): OpUse[] {
  return graph.nodes
    .filter((n) => n.domain === '' || n.domain === 'ai.onnx')
    .map((n) => {
      const attrs: Record<string, string> = {};
      for (const name of BEHAVIOUR_ATTRS[n.opType] ?? []) {
        const a = n.attrs[name];
        if (a?.kind === 'string') attrs[name] = a.value;
      }
      return {
        opType: n.opType,
        opset,
        inputDtypes: n.inputs.map((v) => v?.dtype ?? null),
        outputDtypes: n.outputs.map((v) => v.dtype),
        ...(Object.keys(attrs).length > 0 && { attrs }),
      };
    });
}

/** A stable key: op type, dtypes in -> out, attributes. */
export function useKey(use: OpUse): string {
  const attrs = Object.entries(use.attrs ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const ins = use.inputDtypes.map((d) => d ?? '-').join(', ');
  return `${use.opType}(${ins}) -> ${use.outputDtypes.join(', ')}${attrs ? `; ${attrs}` : ''} @${use.opset}`;
}

/** Distinct uses, sorted by op type then key. */
export function uniqueUses(uses: readonly OpUse[]): OpUse[] {
  const byKey = new Map<string, OpUse>();
  for (const u of uses) if (!byKey.has(useKey(u))) byKey.set(useKey(u), u);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, u]) => u);
}

/** A row of the coverage table: one distinct use, the graphs it occurs in, an optional remark. */
export interface CoverageRow {
  readonly use: OpUse;
  readonly graphs: readonly string[];
  readonly remark?: string;
}

function label(use: OpUse): string {
  const ins = use.inputDtypes.map((d) => d ?? '-').join(', ');
  const attrs = Object.entries(use.attrs ?? {}).map(([k, v]) => `${k}=${v}`);
  const outs = use.opType === 'Cast' ? ` → ${use.outputDtypes[0]}` : '';
  return `${use.opType} (${ins}${outs}${attrs.length ? `; ${attrs.join(', ')}` : ''})`;
}

function cell(verdict: Verdict): string {
  switch (verdict.status) {
    case 'ok':
      return '✓';
    case 'missing':
      return `✗ ${verdict.reason}`;
    case 'unknown':
      return `? unknown: ${verdict.reason}`;
  }
}

/** The Markdown table: one row per distinct use; columns CPU, CUDA, DML, WebGPU. */
export function renderCoverageTable(fixture: KernelFixture, rows: readonly CoverageRow[]): string {
  const head = ['op (input dtypes)', 'graphs', ...PROVIDERS.map((p) => PROVIDER_NAMES[p]), 'remark'];
  const escape = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const cells = [
      `\`${label(row.use)}\``,
      row.graphs.join(', '),
      ...PROVIDERS.map((p) => cell(kernelVerdict(fixture, p, row.use))),
      row.remark ?? '',
    ];
    lines.push(`| ${cells.map(escape).join(' | ')} |`);
  }
  return lines.join('\n');
}
