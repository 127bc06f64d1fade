/**
 * The bytes of a tiny ONNX model (y = x + x, x: float32 [1, 4]) used to probe execution providers.
 * Written with protobufjs from a minimal slice of onnx.proto (field numbers from onnx/onnx.proto3), so the
 * probe needs no file on disk and no engine code.
 */
import protobuf from 'protobufjs';

const ONNX_SUBSET = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: { type: 'int64', id: 1 },
            producer_name: { type: 'string', id: 2 },
            graph: { type: 'GraphProto', id: 7 },
            opset_import: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            op_type: { type: 'string', id: 4 },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } },
        },
        TypeProto: {
          fields: { tensor_type: { type: 'TensorTypeProto', id: 1 } },
        },
        TensorTypeProto: {
          fields: { elem_type: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
        },
        Dimension: {
          fields: { dim_value: { type: 'int64', id: 1 } },
        },
      },
    },
  },
};

const FLOAT = 1; // TensorProto.DataType.FLOAT
const IR_VERSION = 8;
const OPSET = 17;

/** Input values fed to the probe model and the output it must produce. */
export const PROBE_INPUT: readonly number[] = [1, 2, 3, 4];
export const PROBE_EXPECTED: readonly number[] = PROBE_INPUT.map((v) => v + v);

/** Serialises the probe model: graph input `x`, output `y`, one Add node. */
export function probeModelBytes(): Uint8Array {
  const root = protobuf.Root.fromJSON(ONNX_SUBSET);
  const ModelProto = root.lookupType('onnx.ModelProto');
  const floatVector = {
    tensor_type: { elem_type: FLOAT, shape: { dim: [{ dim_value: 1 }, { dim_value: PROBE_INPUT.length }] } },
  };
  const model = {
    ir_version: IR_VERSION,
    producer_name: 'multitask-studio-probe',
    opset_import: [{ domain: '', version: OPSET }],
    graph: {
      name: 'probe',
      node: [{ input: ['x', 'x'], output: ['y'], name: 'probe/Add', op_type: 'Add' }],
      input: [{ name: 'x', type: floatVector }],
      output: [{ name: 'y', type: floatVector }],
    },
  };
  const problem = ModelProto.verify(model);
  if (problem !== null) throw new Error(`Probe model does not match the ONNX subset: ${problem}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}
