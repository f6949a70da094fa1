import { SHORTCUTS } from './shortcuts';

const keyName = (k: string) => (k === 'Escape' ? 'Esc' : k);

/** The `?` overlay: every keyboard shortcut, from the same table the key handler runs. */
export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <div className="help-overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" data-testid="help-overlay" onClick={onClose}>
      <div className="help-card" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.key}><td><kbd>{keyName(s.key)}</kbd></td><td>{s.what}</td></tr>
            ))}
          </tbody>
        </table>
        <p className="muted-note">Keys typed into a field or a list are left to it. Click the image to move the crosshair.</p>
        <button type="button" data-testid="help-close" onClick={onClose}>Close</button>
      </div>
    </div>
  );
}
