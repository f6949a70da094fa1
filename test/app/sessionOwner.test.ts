import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/infer/runtime/backend';
import { SessionOwner } from '../../src/app/sessionOwner';

/** A session whose runs take a few milliseconds and that records overlapping runs and releases. */
function fakeSession(name: string, log: string[], state = { running: 0, maxRunning: 0 }, failRelease = false): Session {
  let released = false;
  return {
    provider: 'wasm',
    inputNames: ['image'],
    outputNames: ['logits'],
    async run() {
      if (released) throw new Error(`${name}: run after release`);
      state.running++;
      state.maxRunning = Math.max(state.maxRunning, state.running);
      log.push(`run ${name}`);
      await new Promise((r) => setTimeout(r, 2));
      state.running--;
      log.push(`ran ${name}`);
      return { logits: { data: new Float32Array(1), dims: [1] } };
    },
    async release() {
      if (state.running > 0) throw new Error(`${name}: released during a run`);
      released = true;
      log.push(`release ${name}`);
      if (failRelease) throw new Error(`${name}: release failed`);
    },
  };
}

const feeds = { image: { data: new Float32Array(1), dims: [1] } };

describe('SessionOwner', () => {
  it('creates a session once per key and shares it', async () => {
    const owner = new SessionOwner(() => undefined);
    let created = 0;
    const create = async () => {
      created++;
      return fakeSession('a', []);
    };
    const [a, b] = await Promise.all([owner.session('m1', 'k', create), owner.session('m1', 'k', create)]);
    expect(a).toBe(b);
    expect(await owner.session('m1', 'k', create)).toBe(a);
    expect(created).toBe(1);
  });

  it('runs one session run at a time, across sessions', async () => {
    const log: string[] = [];
    const state = { running: 0, maxRunning: 0 };
    const owner = new SessionOwner(() => undefined);
    const seg = await owner.session('m1', 'seg', async () => fakeSession('seg', log, state));
    const att = await owner.session('m1', 'att', async () => fakeSession('att', log, state));
    await Promise.all([seg.run(feeds), att.run(feeds), seg.run(feeds)]);
    expect(state.maxRunning).toBe(1);
    expect(log).toEqual(['run seg', 'ran seg', 'run att', 'ran att', 'run seg', 'ran seg']);
  });

  it('releases the previous model after its run in flight, and refuses its queued runs', async () => {
    const log: string[] = [];
    const state = { running: 0, maxRunning: 0 };
    const owner = new SessionOwner(() => undefined);
    const old = await owner.session('m1', 'seg', async () => fakeSession('old', log, state));
    const inFlight = old.run(feeds);
    const next = owner.session('m2', 'seg', async () => fakeSession('new', log, state));
    const queued = old.run(feeds);
    await expect(inFlight).resolves.toBeDefined();
    await expect(queued).rejects.toThrow(/model changed/);
    await (await next).run(feeds);
    expect(log).toEqual(['run old', 'ran old', 'release old', 'run new', 'ran new']);
  });

  it('releases a session that was still being created when the model changed, and creates the next one after it', async () => {
    const log: string[] = [];
    const owner = new SessionOwner(() => undefined);
    let finish: (s: Session) => void = () => undefined;
    let creating = 0, most = 0;
    const track = <T,>(p: Promise<T>): Promise<T> => {
      most = Math.max(most, ++creating);
      return p.finally(() => creating--);
    };
    const slow = owner.session('m1', 'seg', () => track(new Promise<Session>((r) => (finish = r))));
    await new Promise((r) => setTimeout(r, 0)); // the slow creation is under way
    const next = owner.session('m2', 'seg', () => track(Promise.resolve(fakeSession('new', log))));
    await new Promise((r) => setTimeout(r, 0));
    expect(creating).toBe(1); // the second waits for the first (WebGPU refuses two at once)
    finish(fakeSession('slow', log));
    await slow;
    await (await next).run(feeds);
    expect(most).toBe(1);
    expect(log).toContain('release slow');
    expect(log).not.toContain('release new');
  });

  it('skips a creation whose model was replaced before it started', async () => {
    const owner = new SessionOwner(() => undefined);
    let made = 0;
    const first = owner.session('m1', 'seg', async () => { made++; return fakeSession('a', []); });
    const second = owner.session('m2', 'seg', async () => { made++; return fakeSession('b', []); });
    await expect(first).rejects.toThrow(/model changed/);
    await expect((await second).run(feeds)).resolves.toBeDefined();
    expect(made).toBe(1);
  });

  it('forgets a failed creation and tries again', async () => {
    const owner = new SessionOwner(() => undefined);
    await expect(owner.session('m1', 'k', async () => { throw new Error('download failed'); })).rejects.toThrow('download failed');
    const s = await owner.session('m1', 'k', async () => fakeSession('a', []));
    await expect(s.run(feeds)).resolves.toBeDefined();
  });

  it('reports a failed release and carries on', async () => {
    const errors: unknown[] = [];
    const log: string[] = [];
    const owner = new SessionOwner((e) => errors.push(e));
    await owner.session('m1', 'k', async () => fakeSession('bad', log, undefined, true));
    const s = await owner.session('m2', 'k', async () => fakeSession('good', log));
    await s.run(feeds);
    expect(errors.map((e) => (e as Error).message)).toEqual(['bad: release failed']);
    await owner.releaseAll();
    expect(log).toEqual(['release bad', 'run good', 'ran good', 'release good']);
  });
});
