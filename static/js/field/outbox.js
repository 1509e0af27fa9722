/* Juli field outbox: every submission is kept in IndexedDB before it is sent.
 *
 * One object store "outbox", keyed by the submission's client UUID. An item:
 *   { id, user, kind, url, key_header, after, label, body,
 *     photos: [{ id, blob, name, type, target }], uploaded: { photoId: uploadId },
 *     state: "waiting"|"failed"|"conflict", attempts, next_at, error, created_at }
 * `kind` is the key of a kind registered on the server (juli.core.outbox); the item carries
 * everything needed to send it again (url, whether the UUID goes in the Idempotency-Key
 * header), so any page of /m/ sends any kind. A photo's `target` is the path in the body
 * where its upload id goes (["uploads"], ["results", 0, "uploads"]); items written before
 * targets existed have `slot` instead (field.js reads both).
 * A sent item is deleted; a failed or conflicting one stays until the user retries or
 * discards it. The photos are Blobs, each with its own UUID (the upload's client_uuid).
 *
 * `builders` turn a form into { body, photos }, by the name a kind gives in `build`; field.js
 * adds "form" (any form) and the cases pages' own; a page may add its own from its script.
 */
(function () {
  "use strict";
  const DB_NAME = "juli-field";
  const STORE = "outbox";
  let dbPromise = null;

  function open() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        if (!("indexedDB" in window)) {
          reject(new Error("no IndexedDB"));
          return;
        }
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains(STORE)) {
            db.createObjectStore(STORE, { keyPath: "id" }).createIndex("user", "user");
          }
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return dbPromise;
  }

  function run(mode, work) {
    return open().then(
      (db) =>
        new Promise((resolve, reject) => {
          const tx = db.transaction(STORE, mode);
          const result = work(tx.objectStore(STORE));
          tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error);
        })
    );
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  window.JuliOutbox = {
    uuid,
    builders: (window.JuliOutbox && window.JuliOutbox.builders) || {},
    put: (item) => run("readwrite", (store) => store.put(item)),
    get: (id) => run("readonly", (store) => store.get(id)),
    remove: (id) => run("readwrite", (store) => store.delete(id)),
    forUser: (user) =>
      run("readonly", (store) => store.index("user").getAll(user)).then((items) =>
        (items || []).sort((a, b) => a.created_at - b.created_at)
      ),
    /** Update one item in place (read, change, write in one transaction). */
    update: (id, change) =>
      run("readwrite", (store) => {
        const request = store.get(id);
        request.onsuccess = () => {
          if (request.result) store.put(Object.assign(request.result, change));
        };
      }),
  };
})();
