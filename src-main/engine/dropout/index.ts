// Dropout as fed masks: graph sites (applyDropout) and host-drawn counter-based masks (DropoutMasks).
export {
  applyDropout,
  type DropoutOptions,
  type DropoutSiteInfo,
  dropoutSites,
  maskInputName,
  type MaskKind,
  seedInputName,
} from './apply';
export { generatedKeep, generatedKeepMask, laneSeeds } from './generated';
export { DropoutMasks, type FilledMask } from './masks';
export { fmix32 } from './prng';
