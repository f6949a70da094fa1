import { useWorkbench } from './appContext';
import { CT_WINDOWS, type CtWindowName } from './ctWindow';

const fmt = (v: number[], d: number) => v.map((x) => x.toFixed(d)).join(' × ');

export function VolumePanel({ window, onWindow }: { window: CtWindowName; onWindow: (w: CtWindowName) => void }) {
  const volume = useWorkbench((s) => s.volume);
  return (
    <section>
      <h2>Volume</h2>
      {volume ? (
        <dl>
          <dt>File</dt><dd data-testid="volume-name">{volume.name}</dd>
          {volume.kind && <><dt>What</dt><dd data-testid="volume-kind" className="volume-kind">{volume.kind}{volume.source === 'sample' ? ' (bundled sample, not a patient scan)' : ''}</dd></>}
          <dt>Dims</dt><dd data-testid="dims">{volume.dims.join(' × ')}</dd>
          <dt>Spacing</dt><dd data-testid="spacing">{fmt(volume.spacing, 2)} mm</dd>
        </dl>
      ) : (
        <p>No volume loaded.</p>
      )}
      <div className="presets" role="group" aria-label="CT window">
        {(Object.keys(CT_WINDOWS) as CtWindowName[]).map((w) => (
          <button key={w} className={w === window ? 'on' : ''} onClick={() => onWindow(w)} data-testid={`window-${w}`}>
            {w} W{CT_WINDOWS[w].width}/L{CT_WINDOWS[w].level}
          </button>
        ))}
      </div>
    </section>
  );
}
