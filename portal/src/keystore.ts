/**
 * The browser's key store: sealed keys (vault.ts) and non-secret settings in IndexedDB, one
 * database `ehrchain-portal`. Nothing goes to localStorage or sessionStorage, and nothing here is
 * ever sent over the network.
 */
import type { SealedKey } from './vault.js';

const DB = 'ehrchain-portal';
const KEYS = 'keys';
const SETTINGS = 'settings';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(KEYS, { keyPath: 'publicKey' });
      req.result.createObjectStore(SETTINGS);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(
  store: string,
  mode: IDBTransactionMode,
  op: (s: IDBObjectStore) => IDBRequest,
): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const req = op(tx.objectStore(store));
      tx.oncomplete = () => resolve(req.result as T);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Every sealed key stored in this browser. */
export const listKeys = (): Promise<SealedKey[]> => run(KEYS, 'readonly', (s) => s.getAll());
/** Stores (or replaces) a sealed key. */
export const saveKey = (k: SealedKey): Promise<unknown> => run(KEYS, 'readwrite', (s) => s.put(k));
/** Removes a sealed key. */
export const deleteKey = (publicKey: string): Promise<unknown> =>
  run(KEYS, 'readwrite', (s) => s.delete(publicKey));

/** Non-secret settings: the idle lock, in minutes (default 5). */
export interface Settings {
  readonly idleMinutes: number;
}
const DEFAULT_SETTINGS: Settings = { idleMinutes: 5 };

/** The settings, defaults filled in. */
export async function loadSettings(): Promise<Settings> {
  const s = await run<Partial<Settings> | undefined>(SETTINGS, 'readonly', (st) => st.get('settings'));
  return { ...DEFAULT_SETTINGS, ...(s ?? {}) };
}
/** Saves the settings. */
export const saveSettings = (s: Settings): Promise<unknown> =>
  run(SETTINGS, 'readwrite', (st) => st.put(s, 'settings'));
