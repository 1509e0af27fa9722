/* Juli field pages: forms into the outbox, the outbox to the API, the service worker.
 *
 * Kinds: the server registers the kinds of submission (juli.core.outbox) and the page frame
 * hands them over as JSON (#outbox-kinds): a <form data-outbox="<key>"> is built into a body
 * by the kind's builder, kept in the outbox with its kind, URL and client UUID, and sent.
 *
 * Sending: photos first (POST /api/v1/uploads/, multipart {file, client_uuid}, idempotent
 * by the photo's UUID), then the submission as JSON with its client UUID (in the kind's body
 * field and/or the Idempotency-Key header, as the kind says), the same on every attempt. 200/201 deletes the item; a network error, 408, 429 or 5xx
 * schedules a retry with exponential back-off (2 s doubling to 5 min, ±20 %); 409 marks it
 * "conflict"; any other 4xx marks it "failed" with the server's reason. Only the items of
 * the signed-in user are sent (a shared phone never sends one user's work as another's).
 */
(function () {
  "use strict";
  const app = document.getElementById("field-app");
  if (!app || !window.JuliOutbox) return;
  const Outbox = window.JuliOutbox;
  const USER = app.dataset.user;
  const HOME = app.dataset.home;
  const PAGES_CACHE = "juli-pages";
  const MSG = JSON.parse(document.getElementById("field-messages").textContent);
  const kindsEl = document.getElementById("outbox-kinds");
  const KINDS = kindsEl ? JSON.parse(kindsEl.textContent) || {} : {};
  const STARTED_AT = new Date().toISOString();
  const RETRY_MIN_MS = 2000;
  const RETRY_MAX_MS = 5 * 60 * 1000;
  let sending = false;
  let timer = null;

  // --- Status bar -----------------------------------------------------------------------

  const statusEl = document.getElementById("outbox-status");
  const problemsEl = document.getElementById("outbox-problems");
  const bar = document.getElementById("outbox-bar");

  async function render() {
    let items = [];
    try {
      items = await Outbox.forUser(USER);
    } catch (e) {
      statusEl.textContent = MSG.no_storage;
      return;
    }
    const waiting = items.filter((i) => i.state === "waiting");
    const problems = items.filter((i) => i.state !== "waiting");
    statusEl.dataset.count = String(waiting.length);
    statusEl.dataset.problems = String(problems.length);
    statusEl.textContent = waiting.length
      ? MSG.waiting.replace("%(n)s", waiting.length) + (sending ? " · " + MSG.sending : "")
      : MSG.none_waiting;
    bar.classList.toggle("has-waiting", waiting.length > 0);
    bar.classList.toggle("is-offline", !navigator.onLine);
    document.getElementById("outbox-net").textContent = navigator.onLine ? "" : MSG.offline;
    problemsEl.replaceChildren(...problems.map(problemRow));
    problemsEl.hidden = problems.length === 0;
  }

  function problemRow(item) {
    const li = document.createElement("li");
    li.className = "outbox-problem " + item.state;
    li.dataset.id = item.id;
    const title = document.createElement("strong");
    title.textContent = item.label;
    const why = document.createElement("p");
    why.textContent = (item.state === "conflict" ? MSG.conflict + " " : MSG.failed + ": ") + (item.error || "");
    const retry = document.createElement("button");
    retry.type = "button";
    retry.textContent = MSG.retry;
    retry.addEventListener("click", async () => {
      await Outbox.update(item.id, { state: "waiting", attempts: 0, next_at: 0, error: "" });
      flush(true);
    });
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "link";
    discard.textContent = MSG.discard;
    discard.addEventListener("click", async () => {
      if (window.confirm(MSG.discard_confirm)) {
        await Outbox.remove(item.id);
        render();
      }
    });
    li.append(title, why, retry, " ", discard);
    return li;
  }

  // --- Sending ----------------------------------------------------------------------------

  function csrfToken() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  class Outcome extends Error {
    constructor(kind, message) {
      super(message);
      this.kind = kind; // "retry" | "failed" | "conflict"
    }
  }

  async function reasonOf(response) {
    try {
      const data = await response.clone().json();
      if (typeof data === "string") return data;
      const fields = data.fields || (data.detail ? {} : data);
      const parts = Object.entries(fields).map(
        ([k, v]) => (k === "non_field_errors" ? "" : k + ": ") + [].concat(v).map((x) => (typeof x === "object" ? JSON.stringify(x) : x)).join(" ")
      );
      return [data.detail ? String(data.detail) : "", ...parts].filter(Boolean).join(" · ");
    } catch (e) {
      return response.status + " " + response.statusText;
    }
  }

  async function call(url, init) {
    let response;
    try {
      response = await fetch(url, Object.assign({ credentials: "same-origin", cache: "no-store" }, init));
    } catch (e) {
      throw new Outcome("retry", e.message);
    }
    if (response.ok) return response.status === 204 ? {} : response.json().catch(() => ({}));
    if (response.status === 409) throw new Outcome("conflict", await reasonOf(response));
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      throw new Outcome("retry", response.status + " " + response.statusText);
    }
    if (response.status === 401 || (response.status === 403 && !response.headers.get("content-type")?.includes("json"))) {
      throw new Outcome("failed", MSG.signin);
    }
    throw new Outcome("failed", await reasonOf(response));
  }

  async function sendOne(item) {
    const uploaded = Object.assign({}, item.uploaded);
    for (const photo of item.photos) {
      if (uploaded[photo.id]) continue;
      const form = new FormData();
      form.append("file", photo.blob, photo.name || "photo.jpg");
      form.append("client_uuid", photo.id);
      const data = await call("/api/v1/uploads/", {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "Idempotency-Key": photo.id },
        body: form,
      });
      uploaded[photo.id] = data.id;
      await Outbox.update(item.id, { uploaded });
    }
    const body = JSON.parse(JSON.stringify(item.body));
    for (const photo of item.photos) putAt(body, targetOf(item, photo), uploaded[photo.id]);
    const headers = { "Content-Type": "application/json", "X-CSRFToken": csrfToken() };
    if (item.key_header !== false) headers["Idempotency-Key"] = item.id;
    await call(item.url, { method: "POST", headers, body: JSON.stringify(body) });
  }

  /** Where a photo's upload id goes in the body; items kept before targets had a slot. */
  function targetOf(item, photo) {
    if (photo.target) return photo.target;
    if (item.kind === "inspection") {
      return ["results", item.body.results.findIndex((r) => r.item === photo.slot), "uploads"];
    }
    return ["uploads"];
  }

  /** Append `value` to the list at `path` in `body` (made on the way when missing). */
  function putAt(body, path, value) {
    let here = body;
    path.slice(0, -1).forEach((step, i) => {
      if (here[step] == null) here[step] = typeof path[i + 1] === "number" ? [] : {};
      here = here[step];
    });
    const last = path[path.length - 1];
    if (!Array.isArray(here[last])) here[last] = [];
    here[last].push(value);
  }

  function backoff(attempts) {
    const base = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.max(0, attempts - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  async function drain(force) {
    const items = (await Outbox.forUser(USER)).filter((i) => i.state === "waiting");
    for (const item of items) {
      if (!force && item.next_at > Date.now()) continue;
      try {
        await sendOne(item);
        await Outbox.remove(item.id);
        document.dispatchEvent(new CustomEvent("juli:sent", { detail: { id: item.id, after: item.after || "" } }));
      } catch (e) {
        const kind = e instanceof Outcome ? e.kind : "retry";
        if (kind === "retry") {
          const attempts = (item.attempts || 0) + 1;
          await Outbox.update(item.id, { attempts, next_at: Date.now() + backoff(attempts), error: e.message });
          break; // the network or the server is down: try the rest later, not now
        }
        await Outbox.update(item.id, { state: kind, error: e.message });
      }
      await render();
    }
  }

  async function flush(force) {
    if (sending || !navigator.onLine) {
      render();
      return;
    }
    sending = true;
    clearTimeout(timer);
    render();
    try {
      // One sender per browser even with several tabs open (idempotency covers the rest).
      if (navigator.locks) {
        await navigator.locks.request("juli-outbox", () => drain(force));
      } else {
        await drain(force);
      }
    } catch (e) {
      /* storage trouble: shown by render() */
    } finally {
      sending = false;
      await render();
      schedule();
    }
  }

  async function schedule() {
    const items = (await Outbox.forUser(USER)).filter((i) => i.state === "waiting");
    if (!items.length) return;
    const next = Math.min(...items.map((i) => i.next_at || 0));
    clearTimeout(timer);
    timer = setTimeout(() => flush(false), Math.max(0, next - Date.now()) + 50);
  }

  window.addEventListener("online", () => flush(true));
  window.addEventListener("offline", render);

  // --- Forms ------------------------------------------------------------------------------

  function position() {
    // Read once, at submit; never watched. Denied, unavailable or slow: sent without.
    return new Promise((resolve) => {
      if (!navigator.geolocation) return resolve(null);
      const give = setTimeout(() => resolve(null), 10000);
      navigator.geolocation.getCurrentPosition(
        (p) => {
          clearTimeout(give);
          resolve({ lat: +p.coords.latitude.toFixed(6), lng: +p.coords.longitude.toFixed(6) });
        },
        () => {
          clearTimeout(give);
          resolve(null);
        },
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
      );
    });
  }

  document.querySelectorAll(".check-item").forEach((li) => {
    const detail = li.querySelector(".fail-detail");
    li.querySelectorAll("input[type=radio]").forEach((radio) =>
      radio.addEventListener("change", () => (detail.hidden = li.querySelector("input[type=radio]:checked").value === "pass"))
    );
  });

  /** Photo inputs add to a list (several shots, camera or gallery); thumbnails show them. */
  const chosen = new WeakMap();
  document.querySelectorAll(".photo-input").forEach((input) => {
    chosen.set(input, []);
    const thumbs = input.closest(".fail-detail, .photo-field").querySelector(".thumbs");
    input.addEventListener("change", () => {
      const list = chosen.get(input);
      for (const file of input.files) {
        const photo = { id: Outbox.uuid(), blob: new Blob([file], { type: file.type }), name: file.name, type: file.type };
        list.push(photo);
        const li = document.createElement("li");
        const img = document.createElement("img");
        img.src = URL.createObjectURL(photo.blob);
        img.alt = file.name;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "thumb-remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", MSG.discard);
        remove.addEventListener("click", () => {
          list.splice(list.indexOf(photo), 1);
          li.remove();
        });
        li.append(img, remove);
        thumbs.append(li);
      }
      input.value = "";
    });
  });

  /** The photos chosen in `root`'s photo inputs; each one's upload id goes to `target`. */
  function photosOf(root, target) {
    const out = [];
    root.querySelectorAll(".photo-input").forEach((input) => {
      for (const p of chosen.get(input) || []) out.push(Object.assign({}, p, { target }));
    });
    return out;
  }

  /** Any form: its named fields as they are typed (numbers for type=number or
   * data-number, true/false for a checkbox, a list for a multiple select); a required one
   * left empty is refused with its label. Photos go to the body field their input names
   * (data-field, "uploads" by default). */
  function formOf(form) {
    const body = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.type === "file" || el.type === "submit" || el.type === "button") continue;
      if (el.type === "radio" && !el.checked) continue;
      let value;
      if (el.type === "checkbox") value = el.checked;
      else if (el.multiple) value = Array.from(el.selectedOptions, (o) => o.value);
      else if (el.type === "number" || "number" in el.dataset) value = el.value.trim() === "" ? null : Number(el.value);
      else value = el.value.trim();
      if (el.required && (value === "" || value === null || (Array.isArray(value) && !value.length))) {
        throw new Error(el.labels && el.labels.length ? el.labels[0].textContent.trim() : el.name);
      }
      body[el.name] = value;
    }
    const photos = [];
    form.querySelectorAll(".photo-input").forEach((input) => {
      const field = input.dataset.field || "uploads";
      body[field] = [];
      for (const p of chosen.get(input) || []) photos.push(Object.assign({}, p, { target: [field] }));
    });
    return { body, photos };
  }

  function inspectionOf(form) {
    const results = [];
    const photos = [];
    for (const li of form.querySelectorAll(".check-item")) {
      const item = Number(li.dataset.item);
      const passed = li.querySelector("input[type=radio]:checked").value === "pass";
      const note = passed ? "" : li.querySelector("textarea").value.trim();
      if (!passed && !note) throw new Error(MSG.note_needed);
      if (!passed) photos.push(...photosOf(li, ["results", results.length, "uploads"]));
      results.push({ item, passed, note, uploads: [] });
    }
    return { body: { point: Number(form.dataset.point), started_at: STARTED_AT, results }, photos };
  }

  function caseOf(form) {
    const where = form.elements.where.value;
    if (!where) throw new Error(MSG.where_needed);
    const [kind, pk] = where.split(":");
    const body = {
      category: Number(form.elements.category.value),
      title: form.elements.title.value.trim(),
      description: form.elements.description.value.trim(),
      uploads: [],
    };
    body[kind] = Number(pk);
    if (!body.title) throw new Error(form.elements.title.labels[0].textContent);
    return { body, photos: photosOf(form, ["uploads"]) };
  }

  function transitionOf(form) {
    const note = form.elements.note.value.trim();
    if ("needsNote" in form.dataset && !note) throw new Error(MSG.reason_needed);
    const photos = photosOf(form, ["uploads"]);
    if ("needsPhoto" in form.dataset && !photos.length) throw new Error(MSG.photo_needed);
    return { body: { action: form.dataset.action, note, uploads: [] }, photos };
  }

  // A page's own script may have added builders already (JuliOutbox.builders): keep them.
  for (const [name, build] of Object.entries({ form: formOf, inspection: inspectionOf, case: caseOf, transition: transitionOf })) {
    if (!Outbox.builders[name]) Outbox.builders[name] = build;
  }

  /** The kind's path with each {arg} taken from the form's data-<arg>. */
  function urlFor(kind, form) {
    return kind.url.replace(/\{([a-z][a-z0-9_]*)\}/g, (m, arg) => {
      const value = form.dataset[arg];
      if (value === undefined || value === "") throw new Error(`data-${arg}?`);
      return encodeURIComponent(value);
    });
  }

  document.querySelectorAll("form[data-outbox]").forEach((form) => {
    const errorEl = form.querySelector(".form-error");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errorEl.hidden = true;
      const kind = KINDS[form.dataset.outbox];
      let built, url;
      try {
        if (!kind || !Outbox.builders[kind.build]) throw new Error(MSG.unknown_kind);
        // The builder is looked up now, not at load: a page's script may add it later.
        built = Outbox.builders[kind.build](form, { MSG, STARTED_AT, photosOf });
        url = urlFor(kind, form);
      } catch (e) {
        errorEl.textContent = e.message;
        errorEl.hidden = false;
        return;
      }
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      const id = Outbox.uuid();
      const where = kind.position ? await position() : null;
      const body = Object.assign(kind.key_field ? { [kind.key_field]: id } : {}, built.body);
      if (kind.position) {
        body.lat = where ? where.lat : null;
        body.lng = where ? where.lng : null;
      }
      try {
        // Written first: whatever the network does next, the submission is on the phone.
        await Outbox.put({
          id,
          user: USER,
          kind: kind.key,
          url,
          key_header: kind.key_header,
          after: kind.after || "",
          label: form.dataset.label || kind.label,
          body,
          photos: built.photos,
          uploaded: {},
          state: "waiting",
          attempts: 0,
          next_at: 0,
          error: "",
          created_at: Date.now(),
        });
      } catch (e) {
        errorEl.textContent = MSG.no_storage;
        errorEl.hidden = false;
        button.disabled = false;
        return;
      }
      document.querySelectorAll("form[data-outbox]").forEach((f) => (f.hidden = true));
      const done = document.getElementById("form-done");
      done.dataset.id = id;
      done.dataset.state = "queued";
      done.querySelector(".done-text").textContent = navigator.onLine ? MSG.queued : MSG.offline;
      done.hidden = false;
      await render();
      flush(true);
    });
  });

  document.addEventListener("juli:sent", (event) => {
    const done = document.getElementById("form-done");
    if (done && done.dataset.id === event.detail.id) {
      done.dataset.state = "sent";
      done.querySelector(".done-text").textContent = MSG.sent;
      // The kind says where to go once its submission was accepted (none: stay here).
      if (event.detail.after) window.location.assign(event.detail.after);
    }
  });

  // --- Offline pages ----------------------------------------------------------------------

  async function precachePages() {
    // /m/ keeps the pages it lists, as they are now, for use without a network.
    if (!("caches" in window) || location.pathname !== HOME || !navigator.onLine) return;
    const urls = new Set([HOME]);
    document.querySelectorAll("a[data-offline-page], #report-link").forEach((a) => urls.add(a.pathname));
    const cache = await caches.open(PAGES_CACHE);
    const keep = new Set([...urls].map((u) => location.origin + u));
    for (const request of await cache.keys()) {
      if (!keep.has(request.url)) await cache.delete(request);
    }
    // One after the other: a phone on a weak network, and a server, prefer it that way.
    for (const url of urls) {
      try {
        const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
        if (response.ok && !response.redirected) await cache.put(location.origin + url, response);
      } catch (e) {
        break; // offline again: keep what we have
      }
    }
    app.dataset.precached = String(urls.size);
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(app.dataset.sw, { scope: HOME }).catch(() => {});
  }
  render().then(() => flush(true)).then(precachePages);
})();
