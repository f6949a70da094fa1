export * from './config';
export { buildFine, deepTargetShapes, deepTargetName, TARGET, deepWeights, type GraphMode } from './build';
export { IO } from './fine';
export { relativePositionIndex, shiftedWindowMask } from './windows';
