import { ONNX_DTYPE_CODE } from './dtype';
import { ExternalData } from './external-data';
import type { Attr, Graph, Node, TensorData, Value } from './graph';
import { modelProtoType } from './onnx-schema';

export interface SerializeOptions {
  /** ai.onnx opset; 17 gives LayerNormalization, 16+ ScatterND reduction=add. */
  readonly opset?: number;
  readonly producerVersion?: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Write initializers of 1 KiB and more to `data` (one file shared by every graph serialized with it) and
   * reference them as external data at `location`, a file name in the graph's own folder.
   */
  readonly external?: { readonly data: ExternalData; readonly location: string };
}

const IR_VERSION_FOR_OPSET_17 = 8;

/** Encodes the graph as ONNX ModelProto bytes (weights inline as raw_data, or in `options.external`). */
export function serializeModel(graph: Graph, options: SerializeOptions = {}): Uint8Array {
  const type = modelProtoType();
  const model = {
    ir_version: IR_VERSION_FOR_OPSET_17,
    opset_import: [{ domain: '', version: options.opset ?? 17 }],
    producer_name: 'multitask-studio',
    producer_version: options.producerVersion ?? '0.1.0',
    doc_string: options.docString ?? '',
    metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      node: graph.nodes.map(nodeProto),
      initializer: usedInitializers(graph).map(({ value, data }) =>
        options.external ? externalTensorProto(value.name, data, options.external) : tensorProto(value.name, data),
      ),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  };
  return type.encode(type.fromObject(model)).finish();
}

function valueInfo(v: Value): object {
  return {
    name: v.name,
    type: {
      tensor_type: {
        elem_type: ONNX_DTYPE_CODE[v.dtype],
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

function nodeProto(node: Node): object {
  return {
    name: node.name,
    op_type: node.opType,
    domain: node.domain,
    input: node.inputs.map((v) => v?.name ?? ''),
    output: node.outputs.map((v) => v.name),
    attribute: Object.entries(node.attrs).map(([name, a]) => attributeProto(name, a)),
  };
}

function attributeProto(name: string, a: Attr): object {
  switch (a.kind) {
    case 'int':
      return { name, type: 2, i: a.value };
    case 'float':
      return { name, type: 1, f: a.value };
    case 'ints':
      return { name, type: 7, ints: [...a.value] };
    case 'floats':
      return { name, type: 6, floats: [...a.value] };
    case 'string':
      return { name, type: 3, s: new TextEncoder().encode(a.value) };
    case 'tensor':
      return { name, type: 4, t: tensorProto('', a.value) };
  }
}

/** TensorProto with little-endian raw_data (the byte order ONNX requires). */
export function tensorProto(name: string, data: TensorData): object {
  const bytes = new Uint8Array(data.data.buffer, data.data.byteOffset, data.data.byteLength);
  return { name, dims: [...data.dims], data_type: ONNX_DTYPE_CODE[data.dtype], raw_data: bytes };
}

// A large tensor's bytes go to the shared file (ONNX data_location EXTERNAL); small ones stay inline.
function externalTensorProto(
  name: string,
  data: TensorData,
  external: NonNullable<SerializeOptions['external']>,
): object {
  const bytes = new Uint8Array(data.data.buffer, data.data.byteOffset, data.data.byteLength);
  if (!ExternalData.holds(bytes.byteLength)) return tensorProto(name, data);
  const slot = external.data.place(name, bytes);
  return {
    name,
    dims: [...data.dims],
    data_type: ONNX_DTYPE_CODE[data.dtype],
    data_location: 1,
    external_data: [
      { key: 'location', value: external.location },
      { key: 'offset', value: String(slot.offset) },
      { key: 'length', value: String(slot.length) },
    ],
  };
}

/** Initializers some node or output reads: a weight replaced by its quantized copy is not written. */
function usedInitializers(graph: Graph): Graph['initializers'] {
  const read = new Set(graph.outputs.map((o) => o.name));
  for (const n of graph.nodes) for (const v of n.inputs) if (v) read.add(v.name);
  return graph.initializers.filter((i) => read.has(i.value.name));
}
