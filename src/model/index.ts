export * from './contract';
export * from './fineConfig';
export * from './cnnConfig';
export { makeConfig, makeFineConfig, buildModel, deepTargetShapes, deepWeights, networkDef, isFineConfig, volumeTokenLayout, attentionGeometry, type ModelConfig, type BuildOptions } from './registry';
export { CLASS_ANNOTATED, CLASS_MERGED, IO, TARGET, deepTargetName } from './feedNames';
export { crossOutputName } from './utransformer';
export { relativePositionIndex, shiftedWindowMask } from './windows';
