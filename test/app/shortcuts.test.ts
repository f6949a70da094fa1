import { describe, expect, it } from 'vitest';
import type { Actions } from '../../src/app/actions';
import { CT_WINDOWS } from '../../src/app/ctWindow';
import { SHORTCUTS, handleKey } from '../../src/app/shortcuts';
import { createWorkbenchStore } from '../../src/app/state';

const key = (k: string, target: unknown = null, mods = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, target: target as EventTarget | null, ...mods });

describe('keyboard shortcuts', () => {
  it('each key does what the help says', () => {
    const s = createWorkbenchStore();
    const calls: string[] = [];
    const a = { segment: () => calls.push('segment'), cancel: () => calls.push('cancel') } as unknown as Actions;
    const r0 = s.getState().radiological;
    expect(handleKey(key('r'), s, a)).toBe(true);
    expect(s.getState().radiological).toBe(!r0);
    handleKey(key('2'), s, a);
    expect(s.getState().ctWindow).toEqual(CT_WINDOWS.bone);
    handleKey(key('s'), s, a);
    expect(calls).toEqual(['segment']);
    handleKey(key('Escape'), s, a); // nothing running: no cancel
    expect(calls).toEqual(['segment']);
    s.setState({ status: 'running' });
    handleKey(key('s'), s, a);
    handleKey(key('Escape'), s, a);
    expect(calls).toEqual(['segment', 'cancel']);
    handleKey(key('a'), s, a); // no labels yet: attention mode stays off
    expect(s.getState().attentionMode).toBe(false);
  });

  it('leaves keys typed into fields and modifier chords alone', () => {
    const s = createWorkbenchStore();
    const a = {} as Actions;
    const r0 = s.getState().radiological;
    expect(handleKey(key('r', { tagName: 'INPUT', type: 'number' }), s, a)).toBe(false);
    expect(handleKey(key('r', { tagName: 'SELECT' }), s, a)).toBe(false);
    expect(handleKey(key('r', null, { ctrlKey: true }), s, a)).toBe(false);
    expect(s.getState().radiological).toBe(r0);
    expect(handleKey(key('r', { tagName: 'INPUT', type: 'checkbox' }), s, a)).toBe(true);
  });

  it('undo, redo and fill act only while correcting labels', () => {
    const s = createWorkbenchStore();
    const calls: string[] = [];
    const a = { undoEdit: () => calls.push('undo'), redoEdit: () => calls.push('redo'), fillBetweenSlices: () => calls.push('fill') } as unknown as Actions;
    handleKey(key('z', null, { ctrlKey: true }), s, a);
    expect(calls).toEqual([]);
    s.setState({ editing: true });
    handleKey(key('z', null, { ctrlKey: true }), s, a);
    handleKey(key('Z', null, { ctrlKey: true, shiftKey: true }), s, a);
    handleKey(key('y', null, { metaKey: true }), s, a);
    handleKey(key('f'), s, a);
    expect(calls).toEqual(['undo', 'redo', 'redo', 'fill']);
  });

  it('every shortcut has a distinct key and a description', () => {
    expect(new Set(SHORTCUTS.map((x) => x.key)).size).toBe(SHORTCUTS.length);
    for (const x of SHORTCUTS) expect(x.what.length).toBeGreaterThan(10);
  });
});
