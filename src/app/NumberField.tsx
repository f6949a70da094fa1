import { useState } from 'react';

/**
 * A number field that commits on Enter or blur, so typing "-6" on the way to "-600" does not flash the
 * image. A new `value` (a preset, a committed entry) replaces the text, adjusted during render as React
 * advises rather than in an effect, so the field keeps its focus.
 */
export function NumberField({ label, value, onCommit, testId, unit = 'HU' }: { label: string; value: number; onCommit: (v: number) => void; testId: string; unit?: string }) {
  const [text, setText] = useState(String(value));
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setText(String(value));
  }
  const commit = () => {
    const v = Number(text);
    if (text.trim() !== '' && Number.isFinite(v)) onCommit(v);
    else setText(String(value));
  };
  return (
    <label className="num-field">
      {label}
      <input type="number" inputMode="numeric" value={text} data-testid={testId} aria-label={`${label} (${unit})`} onChange={(e) => setText(e.currentTarget.value)} onBlur={commit} onKeyDown={(e) => { if (e.key === 'Enter') commit(); }} />
    </label>
  );
}
