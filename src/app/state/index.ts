/** The workbench state and its transitions, slice by slice (see store.ts). */
export * from './store';
export * from './volume';
export * from './catalogue';
export * from './run';
export * from './result';
export * from './attention';
export * from './review';
export * from './display';
export * from './archive';
export * from './session';
export * from './adapt';
export type { Backend } from '../backendChoice';
