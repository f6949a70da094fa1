import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labelColormap, windowRange } from '../../src/app/ctWindow';
import { buildModelIndex } from '../../scripts/modelIndex';
import { byDefaultOrder } from '../../src/infer/contract/defaultModel';

describe('CT windows and label colours', () => {
  it('turns width/level into a display range', () => {
    expect(windowRange('abdomen')).toEqual([-160, 240]);
    expect(windowRange('bone')).toEqual([-500, 1300]);
    expect(windowRange('lung')).toEqual([-1350, 150]);
  });

  it('hides the background and invisible labels', () => {
    const cm = labelColormap(
      [{ id: 2, name: 'spleen', color: [1, 2, 3] }, { id: 0, name: 'background', color: [0, 0, 0] }, { id: 1, name: 'liver', color: [4, 5, 6] }],
      { 1: { visible: true, opacity: 0.5 }, 2: { visible: false, opacity: 1 } },
    );
    expect(cm.I).toEqual([0, 1, 2]);
    expect(cm.A).toEqual([0, 128, 0]);
    expect(cm.R).toEqual([0, 214, 150]); // the display palette's liver and spleen, not the card's colours
  });
});

describe('models/index.json', () => {
  it('lists cards with the default first, then fine-small, then by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    const write = (f: string, o: object) => writeFileSync(join(dir, f), JSON.stringify(o));
    write('a.json', { format: 'fine-model-card/1', name: 'alpha' });
    write('fine-small.json', { format: 'fine-model-card/1', name: 'fine-small' });
    write('z.json', { format: 'fine-model-card/1', name: 'zeta', default: true });
    write('notes.json', { hello: 1 });
    writeFileSync(join(dir, 'broken.json'), '{');
    const idx = buildModelIndex(dir);
    expect(idx.models.map((m) => m.name)).toEqual(['zeta', 'fine-small', 'alpha']);
    expect(idx.models[0].card).toBe('/models/z.json');
    expect(idx.skipped.map((s) => s.file).sort()).toEqual(['broken.json', 'notes.json']);
    expect(buildModelIndex(join(dir, 'absent')).models).toEqual([]);
  });

  it('the Node commands pick their default model by the same rule as the app', async () => {
    const { defaultCardPath, MODELS_DIR } = await import('../../src/infer/runtime/loadModel');
    const app = buildModelIndex(MODELS_DIR).models[0];
    expect(defaultCardPath()).toBe(join(MODELS_DIR, app.card.replace('/models/', '')));
    expect(byDefaultOrder([{ name: 'b', default: false }, { name: 'fine-small', default: false }, { name: 'a', default: true }]).map((m) => m.name)).toEqual(['a', 'fine-small', 'b']);
  });
});
