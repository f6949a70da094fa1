/**
 * A small key-value store over IndexedDB (one database, one object store): typed arrays are stored as
 * they are (structured clone). Each call opens, does one transaction, and resolves when it commits.
 */
export interface KeyValue {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

const DB = 'fine-workbench';
const STORE = 'session';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB would not open'));
  });
}

async function tx<T>(mode: IDBTransactionMode, work: (st: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = work(t.objectStore(STORE));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error ?? new Error('IndexedDB transaction failed'));
      t.onabort = () => reject(t.error ?? new Error('IndexedDB transaction aborted (is the disk full?)'));
    });
  } finally {
    db.close();
  }
}

export const indexedDbStore: KeyValue = {
  get: <T>(key: string) => tx('readonly', (st) => st.get(key) as IDBRequest<T | undefined>),
  put: async (key, value) => {
    await tx('readwrite', (st) => st.put(value, key));
  },
  del: async (key) => {
    await tx('readwrite', (st) => st.delete(key));
  },
  keys: async () => (await tx('readonly', (st) => st.getAllKeys())).map(String),
};

/** The same in memory (the Node tests). */
export function memoryStore(): KeyValue & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: <T>(key: string) => Promise.resolve(data.get(key) as T | undefined),
    put: (key, value) => Promise.resolve(void data.set(key, structuredClone(value))),
    del: (key) => Promise.resolve(void data.delete(key)),
    keys: () => Promise.resolve([...data.keys()]),
  };
}
