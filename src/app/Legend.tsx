import { ui, useWorkbench } from './appContext';
import { displayColor } from './ctWindow';

const rgb = (c: [number, number, number]) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;

export function Legend() {
  const info = useWorkbench((s) => s.labelInfo);
  const legend = useWorkbench((s) => s.legend);
  const ml = useWorkbench((s) => s.volumesMl);
  const cautions = useWorkbench((s) => s.resultWarnings.length);
  if (info.length === 0) return null;
  return (
    <section>
      <h2>Labels</h2>
      {cautions > 0 && (
        <p className="result-caution" data-testid="result-caution">
          {cautions === 1 ? '1 warning applies' : `${cautions} warnings apply`} to this result (listed above): check before relying on these labels and volumes.
        </p>
      )}
      <table data-testid="legend" className="legend">
        <thead>
          <tr><th /><th>Organ</th><th>mL</th><th>Show</th><th>Opacity</th></tr>
        </thead>
        <tbody>
          {info.filter((l) => l.id !== 0).map((l) => {
            const view = legend[l.id];
            return (
              <tr key={l.id} data-label={l.name} data-id={l.id}>
                <td><span className="swatch" style={{ background: rgb(displayColor(l)) }} /></td>
                <td>{l.name}</td>
                <td className="num">{(ml[l.id] ?? 0).toFixed(1)}</td>
                <td>
                  <input type="checkbox" aria-label={`show ${l.name}`} checked={view?.visible ?? true} onChange={(e) => ui.setLabelVisible(l.id, e.currentTarget.checked)} />
                </td>
                <td>
                  <input type="range" min={0} max={1} step={0.05} aria-label={`${l.name} opacity`} value={view?.opacity ?? 0.6} onChange={(e) => ui.setLabelOpacity(l.id, Number(e.currentTarget.value))} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
