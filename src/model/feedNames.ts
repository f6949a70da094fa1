/**
 * Names of the training graph's target inputs. A leaf module, so the trainer's crop worker can name its
 * feeds without loading the graph builder.
 */
export const TARGET = 'target';
export const deepTargetName = (i: number): string => `target_ds${i}`;
/** Training inputs of the partial-label loss: [C] flags of the annotated classes and of those merged with background. */
export const CLASS_ANNOTATED = 'class_annotated';
export const CLASS_MERGED = 'class_merged';
/** Input and output names of the exported graphs (the card's `io` repeats them). */
export const IO = { image: 'image', vtIndex: 'vt_index', vtSeen: 'vt_seen', logits: 'logits' } as const;
