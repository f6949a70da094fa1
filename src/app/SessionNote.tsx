import { actions, useWorkbench } from './appContext';

const time = (iso: string) => new Date(iso).toLocaleTimeString('en-GB');
const day = (iso: string) => new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The work kept in this browser: after a reload, the offer to restore it (never forced); while working,
 * when it was last saved (or why it could not be).
 */
export function SessionNote() {
  const offer = useWorkbench((s) => s.restoreOffer);
  const saved = useWorkbench((s) => s.sessionSaved);
  const hasWork = useWorkbench((s) => s.labels !== null);
  if (offer) {
    const parts = [
      offer.model ? `labels by ${offer.model}` : 'labels',
      offer.corrections > 0 ? `${offer.corrections} saved correction${offer.corrections === 1 ? '' : 's'}` : null,
      offer.edits !== null ? `a correction in progress (${offer.edits} edit${offer.edits === 1 ? '' : 's'})` : null,
    ].filter(Boolean);
    return (
      <section className="restore-offer" data-testid="restore-offer">
        <p>Work kept in this browser from {day(offer.savedAt)}: <b>{offer.volumeName}</b>, {parts.join(', ')}.</p>
        <div className="row">
          <button type="button" data-testid="restore-session" onClick={() => void actions.restoreSession()}>Restore it</button>
          <button type="button" data-testid="discard-session" onClick={() => void actions.session.discard()}>Discard</button>
        </div>
      </section>
    );
  }
  if (saved.error) return <p className="result-caution" data-testid="session-saved">{saved.error}</p>;
  if (hasWork && saved.at) return <p className="muted-note" data-testid="session-saved">Kept in this browser at {time(saved.at)}</p>;
  return null;
}
