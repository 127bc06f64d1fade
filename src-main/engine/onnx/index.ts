// The ONNX graph builder: typed values with static/symbolic shapes, op helpers (`op.*`), protobuf serialisation.
export { type AnyTypedArray, type DType, isFloat, ONNX_DTYPE_CODE, typedArrayFrom } from './dtype';
export { type Dim, formatShape, knownSize, sameShape, type Shape } from './shape';
export { describeValue, GraphBuildError } from './errors';
export { attr, type Attr, type Attrs, Graph, type Node, type TensorData, type Value } from './graph';
export { ExternalData, type ExternalSlot } from './external-data';
export { serializeModel, type SerializeOptions } from './serialize';
export { modelProtoType } from './onnx-schema';
export * as op from './ops';
