/**
 * Owns the worker's onnxruntime sessions. They belong to one model at a time (its segmentation graph
 * and its attention graph, on one provider): asking for a session of another model releases the
 * previous model's sessions, so switching models does not keep two networks in WASM or GPU memory.
 * Callers get handles whose runs, like the releases, go through one promise queue: a session is never
 * run twice at once, nor released while a run is in flight (onnxruntime-web allows neither), and sessions
 * are created one at a time (its WebGPU provider refuses concurrent creations).
 */
import type { Session } from '../infer/runtime/backend';

interface Entry {
  raw: Promise<Session>;
  handle: Promise<Session>;
}

export class SessionOwner {
  private model: string | null = null;
  private readonly sessions = new Map<string, Entry>();
  private readonly released = new WeakSet<Session>();
  private queue: Promise<unknown> = Promise.resolve();
  private creating: Promise<unknown> = Promise.resolve();

  /** `onReleaseError` hears of a session that failed to release; the owner carries on without it. */
  constructor(private readonly onReleaseError: (e: unknown) => void) {}

  /**
   * The session `key` of `model`, created by `create` on first use and shared afterwards. A `model`
   * other than the current one releases every session of the current one first. A failed creation
   * is forgotten, so the next request tries again.
   */
  session(model: string, key: string, create: () => Promise<Session>): Promise<Session> {
    if (this.model !== model) {
      void this.releaseAll();
      this.model = model;
    }
    const known = this.sessions.get(key);
    if (known) return known.handle;
    // One creation at a time (onnxruntime-web's WebGPU provider refuses a second while one is under way);
    // a creation whose model was replaced while it waited is skipped.
    const entry = {} as Entry;
    const raw = this.creating.catch(() => undefined).then(() => {
      if (this.sessions.get(key) !== entry) throw new Error('The model changed before its session was created');
      return create();
    });
    this.creating = raw;
    entry.raw = raw;
    entry.handle = raw.then((s) => this.handle(s, key, entry));
    this.sessions.set(key, entry);
    raw.catch(() => {
      if (this.sessions.get(key) === entry) this.sessions.delete(key);
    });
    return entry.handle;
  }

  /**
   * Releases every session; the next `session` call creates anew. A session still being created is
   * released once it exists. Runs of a released session that have not started yet fail; the one in
   * flight finishes first, since the release waits its turn in the queue.
   */
  async releaseAll(): Promise<void> {
    const old = [...this.sessions.values()];
    this.sessions.clear();
    this.model = null;
    await Promise.all(old.map((e) => this.release(e)));
  }

  /** Releases the session `key` of the current model, if there is one (a graph used once, as adaptation's). */
  async releaseKey(key: string): Promise<void> {
    const entry = this.sessions.get(key);
    if (!entry) return;
    this.sessions.delete(key);
    await this.release(entry);
  }

  private async release(entry: Entry): Promise<void> {
    const s = await entry.raw.catch(() => null);
    if (!s || this.released.has(s)) return;
    this.released.add(s);
    await this.serial(() => s.release()).catch(this.onReleaseError);
  }

  private handle(s: Session, key: string, entry: Entry): Session {
    return {
      provider: s.provider,
      build: s.build,
      wasmThreads: s.wasmThreads,
      inputNames: s.inputNames,
      outputNames: s.outputNames,
      run: (feeds, fetches) => this.serial(() => {
        if (this.released.has(s)) throw new Error('The model changed and this session was released; start the run again');
        return s.run(feeds, fetches);
      }),
      release: () => {
        if (this.sessions.get(key) === entry) this.sessions.delete(key);
        return this.release(entry);
      },
    };
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
