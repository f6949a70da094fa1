/** The text of a thrown value: an Error's message, anything else as a string. One rule for every message shown or posted. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
