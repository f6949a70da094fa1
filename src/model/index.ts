export * from './config';
export { buildFine, deepTargetShapes, deepTargetName, TARGET, CLASS_ANNOTATED, CLASS_MERGED, deepWeights, type BuildOptions, type GraphMode } from './build';
export { IO } from './fine';
export { relativePositionIndex, shiftedWindowMask } from './windows';
