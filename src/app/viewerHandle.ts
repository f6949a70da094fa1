/** The viewer the page shows, for the few controls that talk to it directly (label correction) and the test hooks. */
import type { Viewer } from './viewer';

let current: Viewer | null = null;

export function setCurrentViewer(v: Viewer | null): void {
  current = v;
}

export function currentViewer(): Viewer | null {
  return current;
}
