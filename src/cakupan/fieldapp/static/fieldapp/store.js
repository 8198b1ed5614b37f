// What the phone keeps, in IndexedDB: the captured items (the queue) and the reference data (meta).
// An item is {client_id, agent, kind, state, captured_at, payload, summary, errors}; once the office has
// accepted it (or already had it), payload and summary are removed: only client_id, the agent's user name, kind and the outcome
// stay on the phone.

const NAME = "cakupan-lapangan";
const VERSION = 1;
let opened = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function openDb() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains("items")) db.createObjectStore("items", { keyPath: "client_id" });
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "key" });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return opened;
}

async function store(name, mode) {
  const db = await openDb();
  return db.transaction(name, mode).objectStore(name);
}

// The items one agent captured: a phone passed to another agent neither shows nor sends them under the
// other's session.
export async function allItems(agent) {
  const items = (await request((await store("items", "readonly")).getAll())).filter((i) => i.agent === agent);
  return items.sort((a, b) => (a.captured_at < b.captured_at ? -1 : a.captured_at > b.captured_at ? 1 : 0));
}

export async function putItem(item) {
  return request((await store("items", "readwrite")).put(item));
}

export async function putItems(items) {
  const db = await openDb();
  const tx = db.transaction("items", "readwrite");
  items.forEach((item) => tx.objectStore("items").put(item));
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

export async function deleteItem(clientId) {
  return request((await store("items", "readwrite")).delete(clientId));
}

// Signing out: everything this agent left on the phone (their items, personal data or not, and their
// reference data) is removed in one transaction; another agent's items stay.
export async function forgetAgent(agent) {
  const db = await openDb();
  const tx = db.transaction(["items", "meta"], "readwrite");
  const items = tx.objectStore("items");
  const all = items.getAll();
  all.onsuccess = () => all.result.filter((i) => i.agent === agent).forEach((i) => items.delete(i.client_id));
  tx.objectStore("meta").delete(`reference:${agent}`);
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

export async function getMeta(key) {
  const row = await request((await store("meta", "readonly")).get(key));
  return row ? row.value : null;
}

export async function putMeta(key, value) {
  return request((await store("meta", "readwrite")).put({ key, value }));
}

// Only client_id, kind and the outcome stay once the office holds the item (personal data removed).
export function forgetPersonalData(item, state) {
  const { client_id, agent, kind, captured_at } = item;
  return { client_id, agent, kind, state, captured_at, errors: [] };
}
