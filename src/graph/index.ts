export * from './types';
export { Graph } from './graph';
export * as ops from './ops';
export * from './layers';
export { backward, DIFFERENTIABLE_OPS, unbroadcast } from './grad';
export { serializeGraph, readWeights, readMetadata, OPSET } from './serialize';
export { evaluate, type RefTensor } from './reference';
export { initialise, paramSeed, rng, normal } from './init';
export { ShapeError, SUPPORTED_OPS } from './shapes';
