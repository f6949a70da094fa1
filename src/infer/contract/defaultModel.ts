/**
 * Which model runs when none is named, one rule for the app's model index and the Node commands: the
 * card marked `"default": true`, then `fine-small`, then the others by name.
 */
export const DEFAULT_MODEL = 'fine-small';

export interface ModelChoice {
  name: string;
  /** The card's `"default": true`. */
  default: boolean;
}

/** `models` in the order a default is chosen from (the first is the default). */
export function byDefaultOrder<T extends ModelChoice>(models: readonly T[]): T[] {
  const rank = (e: ModelChoice) => (e.default ? 0 : e.name === DEFAULT_MODEL ? 1 : 2);
  return [...models].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}
