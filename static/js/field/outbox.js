/* Juli field outbox: every submission is kept in IndexedDB before it is sent.
 *
 * One object store "outbox", keyed by the submission's client UUID. An item:
 *   { id, user, kind, url, key_header, after, label, body,
 *     photos: [{ id, blob, name, type, target, input }], uploaded: { photoId: uploadId },
 *     draft: { page, form, values, labels },
 *     state, attempts, next_at, error, fields, status, code, created_at, sent_at, result }
 * `kind` is the key of a kind registered on the server (juli.core.outbox); the item carries
 * everything needed to send it again (url, whether the UUID goes in the Idempotency-Key
 * header), so any page of /m/ sends any kind. A photo's `target` is the path in the body
 * where its upload id goes (["uploads"], ["results", 0, "uploads"]); `input` names the photo
 * input it was chosen in; items written before targets existed have `slot` instead.
 * `draft` is the form as the user left it (its page, its values, its fields' labels): a
 * refused item re-opens from it as an editable form.
 *
 * The state is the one source of truth for the status bar and the item list (STATES):
 *   waiting   kept, to be sent (again: `attempts`, `next_at`, `error` after a transport failure)
 *   sending   being sent now (by the one sender of this browser)
 *   attention refused by the server for a reason the user can fix (`error`, `fields`): it
 *             leaves the retry queue until the user edits and resubmits it or discards it
 *   sent      accepted; kept a day without its body and photos (`result`, `sent_at`)
 * Items of older versions with state "failed" or "conflict" read as "attention".
 *
 * Every change is announced on the BroadcastChannel "juli-outbox" (other tabs) and as a
 * "juli:outbox" event on this document (this tab): `JuliOutbox.onChange(fn)` hears both.
 *
 * `builders` turn a form into { body, photos }, by the name a kind gives in `build`; field.js
 * adds "form" (any form) and the cases pages' own; a page may add its own from its script.
 */
(function () {
  "use strict";
  const DB_NAME = "juli-field";
  const STORE = "outbox";
  const STATES = Object.freeze(["waiting", "sending", "attention", "sent"]);
  const LEGACY = { failed: "attention", conflict: "attention" };
  const SENT_KEEP_MS = 24 * 60 * 60 * 1000;
  const SENT_KEEP_MAX = 20;
  let dbPromise = null;
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("juli-outbox") : null;

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

  /** Tell this tab and the others that the outbox changed. */
  function changed(value) {
    document.dispatchEvent(new CustomEvent("juli:outbox"));
    if (channel) channel.postMessage("changed");
    return value;
  }

  function write(work) {
    return run("readwrite", work).then(changed);
  }

  function normalised(item) {
    if (item && LEGACY[item.state]) item.state = LEGACY[item.state];
    return item;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /** Items of `user` by state: { waiting: [...], sending: [...], attention: [...], sent: [...] }. */
  function byState(items) {
    const out = {};
    for (const state of STATES) out[state] = [];
    for (const item of items) (out[item.state] || out.waiting).push(item);
    return out;
  }

  window.JuliOutbox = {
    uuid,
    STATES,
    byState,
    builders: (window.JuliOutbox && window.JuliOutbox.builders) || {},
    put: (item) => write((store) => store.put(item)),
    get: (id) => run("readonly", (store) => store.get(id)).then(normalised),
    remove: (id) => write((store) => store.delete(id)),
    forUser: (user) =>
      run("readonly", (store) => store.index("user").getAll(user)).then((items) =>
        (items || []).map(normalised).sort((a, b) => a.created_at - b.created_at)
      ),
    /** Update one item in place (read, change, write in one transaction). */
    update: (id, change) =>
      write((store) => {
        const request = store.get(id);
        request.onsuccess = () => {
          if (request.result) store.put(Object.assign(request.result, change));
        };
      }),
    /** Forget the sent items of `user` older than a day, and all but the newest few. */
    prune: (user) =>
      run("readonly", (store) => store.index("user").getAll(user)).then((items) => {
        const sent = (items || []).filter((i) => i.state === "sent").sort((a, b) => b.sent_at - a.sent_at);
        const old = sent.filter((i, n) => n >= SENT_KEEP_MAX || Date.now() - i.sent_at > SENT_KEEP_MS);
        if (!old.length) return undefined;
        return write((store) => old.forEach((i) => store.delete(i.id)));
      }),
    /** Call `fn` whenever the outbox changes, in this tab or another. */
    onChange: (fn) => {
      document.addEventListener("juli:outbox", () => fn());
      if (channel) channel.addEventListener("message", () => fn());
    },
  };
})();
