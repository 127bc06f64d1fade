// Finite-difference gradient checks (npm run gradcheck) and tiny trainable models (tests, bench:backward);
// loads onnxruntime-node, so it is not part of ../index.ts.
export { allCases } from './all-cases';
export { type CheckCase, type CheckResult, runCheck } from './gradcheck';
export {
  type BlockDims,
  forwardGraph,
  initialParams,
  sgdGraph,
  TINY_BLOCK,
  type TinyModel,
  tinyMlp,
  tinyTransformer,
  trainSgd,
} from './tiny-models';
