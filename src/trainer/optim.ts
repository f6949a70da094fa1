/** The optimisers live with adaptation (src/infer/adapt/optim.ts): one implementation for the trainer, `npm run adapt` and the app's worker. */
export * from '../infer/adapt/optim';
