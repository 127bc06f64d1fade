// The only modules that load onnxruntime-node: checked sessions, device choice, training sessions.
export { DeviceUnavailableError, FeedError, ModelLoadError, RunError, StateError } from './errors';
export {
  availableBackends,
  createSession,
  onnxruntimeVersion,
  type Device,
  type DeviceReport,
  type OutputLocation,
  type Session,
  type SessionOptions,
} from './session';
export { type DeviceTensorRef, type FeedTensor, type HostDType, type HostTensor, hostTensor } from './tensor';
export {
  defaultResidency,
  outputLocations as trainingOutputLocations,
  type Residency,
  type StepResult,
  type StepTransfer,
  TrainingSession,
  type TrainingSessionInit,
} from './training-session';
export {
  gradientLocations as accumulationGradientLocations,
  updateLocations as accumulationUpdateLocations,
} from './accumulation-state';
export { type PlacedNode, type PlacementReport, parsePlacementLog, SHAPE_MATH_OPS } from './placement';
export {
  type CoverageRow,
  type KernelEntry,
  type KernelFixture,
  kernelVerdict,
  missingKernels,
  type OpSignature,
  type OpUse,
  opUsesOf,
  PROVIDER_NAMES,
  PROVIDERS as COVERAGE_PROVIDERS,
  type Provider as CoverageProvider,
  renderCoverageTable,
  uniqueUses,
  useKey,
  type Verdict,
} from './op-coverage';
export { type PlacementChild, probePlacement, tsxPlacementChild } from './placement-probe';
export { builtEntry } from './built-entry';
export { DeviceTensors, type TrafficCounter } from './device-tensors';
export { detectWebGpuAdapter, SOFTWARE_VULKAN_DRIVERS, type WebGpuAdapter, type WebGpuAdapterKind } from './adapter';
export {
  type AccumulatedStepResult,
  AccumulatingSession,
  type AccumulatingSessionInit,
  type MicroResult,
} from './accumulating-session';
export type { TrainingState } from './param-buffers';
