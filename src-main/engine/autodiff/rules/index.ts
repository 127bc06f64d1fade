import type { GradRule } from '../rule';
import { absGrad } from './abs';
import { addGrad } from './add';
import { castGrad } from './cast';
import { concatGrad } from './concat';
import { divGrad } from './div';
import { erfGrad } from './erf';
import { expGrad } from './exp';
import { expandGrad } from './expand';
import { gatherGrad } from './gather';
import { gatherElementsGrad } from './gather-elements';
import { gemmGrad } from './gemm';
import { identityGrad } from './identity';
import { layerNormGrad } from './layer-norm';
import { logGrad } from './log';
import { matMulGrad } from './matmul';
import { maxGrad } from './max';
import { minGrad } from './min';
import { mulGrad } from './mul';
import { negGrad } from './neg';
import { powGrad } from './pow';
import { reciprocalGrad } from './reciprocal';
import { reduceMaxGrad } from './reduce-max';
import { reduceMeanGrad } from './reduce-mean';
import { reduceSumGrad } from './reduce-sum';
import { reluGrad } from './relu';
import { reshapeGrad } from './reshape';
import { sigmoidGrad } from './sigmoid';
import { sliceGrad } from './slice';
import { softmaxGrad } from './softmax';
import { sqrtGrad } from './sqrt';
import { squeezeGrad } from './squeeze';
import { subGrad } from './sub';
import { tanhGrad } from './tanh';
import { tileGrad } from './tile';
import { transposeGrad } from './transpose';
import { unsqueezeGrad } from './unsqueeze';
import { whereGrad } from './where';

/** Alternative rules that GradOptions select (the same op, another construction). */
export { gatherOneHotGrad, ONE_HOT_MAX_ROWS } from './gather-one-hot';

/** ai.onnx ops with a gradient rule. Ops with only bool/int outputs (Equal, Shape, Not...) need none. */
export const DIFFERENTIABLE_OPS = [
  'Abs',
  'Add',
  'Cast',
  'Concat',
  'Div',
  'Erf',
  'Exp',
  'Expand',
  'Gather',
  'GatherElements',
  'Gemm',
  'Identity',
  'LayerNormalization',
  'Log',
  'MatMul',
  'Max',
  'Min',
  'Mul',
  'Neg',
  'Pow',
  'Reciprocal',
  'ReduceMax',
  'ReduceMean',
  'ReduceSum',
  'Relu',
  'Reshape',
  'Sigmoid',
  'Slice',
  'Softmax',
  'Sqrt',
  'Squeeze',
  'Sub',
  'Tanh',
  'Tile',
  'Transpose',
  'Unsqueeze',
  'Where',
] as const;

export type OpType = (typeof DIFFERENTIABLE_OPS)[number];

/** One rule per differentiable op: adding an op to OpType without a rule fails to compile. */
export const GRAD_RULES: Readonly<Record<OpType, GradRule>> = {
  Abs: absGrad,
  Add: addGrad,
  Cast: castGrad,
  Concat: concatGrad,
  Div: divGrad,
  Erf: erfGrad,
  Exp: expGrad,
  Expand: expandGrad,
  Gather: gatherGrad,
  GatherElements: gatherElementsGrad,
  Gemm: gemmGrad,
  Identity: identityGrad,
  LayerNormalization: layerNormGrad,
  Log: logGrad,
  MatMul: matMulGrad,
  Max: maxGrad,
  Min: minGrad,
  Mul: mulGrad,
  Neg: negGrad,
  Pow: powGrad,
  Reciprocal: reciprocalGrad,
  ReduceMax: reduceMaxGrad,
  ReduceMean: reduceMeanGrad,
  ReduceSum: reduceSumGrad,
  Relu: reluGrad,
  Reshape: reshapeGrad,
  Sigmoid: sigmoidGrad,
  Slice: sliceGrad,
  Softmax: softmaxGrad,
  Sqrt: sqrtGrad,
  Squeeze: squeezeGrad,
  Sub: subGrad,
  Tanh: tanhGrad,
  Tile: tileGrad,
  Transpose: transposeGrad,
  Unsqueeze: unsqueezeGrad,
  Where: whereGrad,
};

/** True when the op has a gradient rule. */
export function isDifferentiable(opType: string): opType is OpType {
  return (DIFFERENTIABLE_OPS as readonly string[]).includes(opType);
}
