/* Juli field pages: forms into the outbox, the outbox to the API, the service worker.
 *
 * Kinds: the server registers the kinds of submission (juli.core.outbox) and the page frame
 * hands them over as JSON (#outbox-kinds): a <form data-outbox="<key>"> is built into a body
 * by the kind's builder, kept in the outbox with its kind, URL and client UUID, and sent.
 *
 * Checked before queuing, at the field (nothing is queued while one fails; the first bad
 * field gets the focus, `aria-invalid` and a `role=alert` message it is described by):
 * `required`, `maxlength` / `data-maxlength` (characters, as the server counts them), and
 * for photo inputs (`.photo-input`): the file's type (its MIME type and its first bytes:
 * JPEG, PNG, HEIC; a text file renamed .jpg is refused), `data-max-bytes`, `data-max-files`,
 * `required` / `data-min-files`. Photos are checked as they are chosen, the rest at submit.
 *
 * Sending: photos first (POST /api/v1/uploads/, multipart {file, client_uuid}, idempotent
 * by the photo's UUID), then the submission as JSON with its client UUID (in the kind's body
 * field and/or the Idempotency-Key header, as the kind says), the same on every attempt, with
 * the page's language as Accept-Language (the server's messages come back in it).
 * - 2xx: sent. A 409 that means "already done" (a case step the case's history shows as its
 *   latest, or code already_done/duplicate) counts as sent.
 * - Only transport failures are retried: no network, a timeout, 408, 429, 5xx; with
 *   exponential back-off (2 s doubling to 5 min, ±20 %).
 * - Any other refusal (400, 403, 404, 409, 413, 415 …) takes the item out of the queue as
 *   "attention": the list shows the server's message (field names replaced by the form's
 *   labels; a message not in the page's language replaced by a generic one) and offers
 *   "edit and submit again", which re-opens the item's page with its values and photos
 *   restored from IndexedDB and the messages beside the fields; resubmitting queues it under
 *   a NEW client UUID and removes the refused item. 401 (signed out) offers Retry instead.
 * Only the items of the signed-in user are sent (a shared phone never sends one user's work
 * as another's). The status bar and the item list are both drawn from the stored items'
 * states (outbox.js), on every change, in every tab.
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
  const LANG = document.documentElement.lang || navigator.language || "zh-hans";
  const CHINESE = /^zh/i.test(LANG);
  const HAN = /[\u3400-\u9fff]/;
  const STARTED_AT = new Date().toISOString();
  const RETRY_MIN_MS = 2000;
  const RETRY_MAX_MS = 5 * 60 * 1000;
  const TIMEOUT_MS = 30 * 1000;
  const UPLOAD_TIMEOUT_MS = 3 * 60 * 1000;
  const EDIT_HASH = /^#outbox-edit=([0-9a-f-]{36})$/i;
  let sending = false;
  let timer = null;

  function fmt(text, params) {
    return String(text).replace(/%\((\w+)\)s/g, (m, name) => (name in params ? params[name] : m));
  }

  // --- Status bar and item list: both drawn from the stored items' states -------------------

  const statusEl = document.getElementById("outbox-status");
  const listEl = document.getElementById("outbox-problems");
  const bar = document.getElementById("outbox-bar");
  let drawn = 0;

  async function render() {
    const turn = ++drawn;
    let items = [];
    try {
      items = await Outbox.forUser(USER);
    } catch (e) {
      statusEl.textContent = MSG.no_storage;
      return;
    }
    if (turn !== drawn) return; // a later render is under way: it draws the newer state
    const s = Outbox.byState(items);
    const queued = s.waiting.length + s.sending.length;
    statusEl.dataset.count = String(queued);
    statusEl.dataset.sending = String(s.sending.length);
    statusEl.dataset.problems = String(s.attention.length);
    statusEl.dataset.sent = String(s.sent.length);
    const parts = [];
    if (queued) parts.push(fmt(MSG.waiting, { n: queued }) + (s.sending.length ? " · " + MSG.sending : ""));
    if (s.attention.length) parts.push(fmt(MSG.attention_count, { n: s.attention.length }));
    statusEl.textContent = parts.length ? parts.join(" · ") : MSG.none_waiting;
    bar.classList.toggle("has-waiting", queued > 0);
    bar.classList.toggle("has-attention", s.attention.length > 0);
    bar.classList.toggle("is-offline", !navigator.onLine);
    document.getElementById("outbox-net").textContent = navigator.onLine ? "" : MSG.offline;
    const rows = [...s.attention, ...s.sending, ...s.waiting];
    listEl.replaceChildren(...rows.map(itemRow));
    listEl.hidden = rows.length === 0;
  }

  let renderQueued = false;
  function requestRender() {
    if (renderQueued) return;
    renderQueued = true;
    setTimeout(() => {
      renderQueued = false;
      render();
    }, 0);
  }

  function button(text, onClick, className) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (className) b.className = className;
    b.addEventListener("click", onClick);
    return b;
  }

  function itemRow(item) {
    const li = document.createElement("li");
    li.className = "outbox-item state-" + item.state + (item.state === "attention" ? " outbox-problem" : "");
    li.dataset.id = item.id;
    li.dataset.state = item.state;
    const title = document.createElement("strong");
    title.textContent = item.label;
    const why = document.createElement("p");
    li.append(title, why);
    if (item.state === "sending") {
      why.textContent = MSG.sending;
      return li;
    }
    if (item.state === "waiting") {
      why.textContent = item.attempts ? fmt(MSG.retrying, { why: item.error || MSG.transport }) : MSG.waiting_row;
      return li;
    }
    why.className = "outbox-why";
    why.textContent = MSG.attention + (CHINESE ? "：" : ": ") + (item.error || MSG.refused);
    if (item.draft && !item.signin) {
      li.append(button(MSG.edit, () => edit(item), "primary"), " ");
    } else {
      li.append(
        button(MSG.retry, async () => {
          await Outbox.update(item.id, { state: "waiting", attempts: 0, next_at: 0, error: "", fields: null, signin: false });
          flush(true);
        }),
        " "
      );
    }
    li.append(
      button(
        MSG.discard,
        async () => {
          if (window.confirm(MSG.discard_confirm)) await Outbox.remove(item.id);
        },
        "link"
      )
    );
    return li;
  }

  // --- Sending ----------------------------------------------------------------------------

  function csrfToken() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  /** How one request ended when it did not succeed: "retry" (transport), "attention"
   * (refused: `message`, `fields` {path: [messages]}, `status`, `code`) or "done". */
  class Outcome extends Error {
    constructor(kind, message, extra) {
      super(message);
      this.kind = kind;
      Object.assign(this, extra || {});
    }
  }

  /** A message the user can read: in the page's language, or the generic one instead. */
  function readable(text, fallback) {
    text = typeof text === "string" ? text.trim() : "";
    if (!text || (CHINESE && !HAN.test(text))) return fallback;
    return text;
  }

  function genericFor(status) {
    return MSG["refused_" + status] || MSG.refused;
  }

  /** The API's error shape ({detail, code, fields}, or DRF's bare {field: [msg]}) made readable. */
  async function refusalOf(response) {
    let data = null;
    try {
      data = await response.clone().json();
    } catch (e) {
      data = null;
    }
    const generic = genericFor(response.status);
    if (!data || typeof data !== "object") {
      return { status: response.status, code: "", detail: readable(typeof data === "string" ? data : "", generic), fields: {} };
    }
    const raw = data.fields || (data.detail || data.code ? {} : data);
    const fields = {};
    for (const [path, value] of Object.entries(raw)) {
      const list = [].concat(value).map((x) => readable(typeof x === "string" ? x : "", MSG.field_invalid));
      fields[path === "__all__" ? "non_field_errors" : path] = [...new Set(list)];
    }
    return {
      status: response.status,
      code: typeof data.code === "string" ? data.code : "",
      detail: readable(data.detail, generic),
      fields,
    };
  }

  async function call(url, init, timeoutMs) {
    const abort = "AbortController" in window ? new AbortController() : null;
    const giveUp = abort ? setTimeout(() => abort.abort(), timeoutMs || TIMEOUT_MS) : null;
    let response;
    try {
      response = await fetch(
        url,
        Object.assign({ credentials: "same-origin", cache: "no-store", signal: abort ? abort.signal : undefined }, init)
      );
    } catch (e) {
      throw new Outcome("retry", MSG.transport);
    } finally {
      clearTimeout(giveUp);
    }
    if (response.ok) return response.status === 204 ? {} : response.json().catch(() => ({}));
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      throw new Outcome("retry", MSG.transport);
    }
    const isJson = (response.headers.get("content-type") || "").includes("json");
    if (response.status === 401 || (response.status === 403 && !isJson)) {
      throw new Outcome("attention", MSG.signin, { status: response.status, signin: true, fields: {} });
    }
    const refusal = await refusalOf(response);
    if (refusal.status === 409 && (refusal.code === "already_done" || refusal.code === "duplicate")) {
      throw new Outcome("done", refusal.detail);
    }
    throw new Outcome("attention", refusal.detail, refusal);
  }

  function headers(extra) {
    return Object.assign({ "X-CSRFToken": csrfToken(), "Accept-Language": LANG, Accept: "application/json" }, extra);
  }

  /** A case step refused as "illegal state" whose case shows that very step as its latest
   * one was done already (on another phone, or an answer lost on the way): not a refusal. */
  async function alreadyDone(item, outcome) {
    if (outcome.status !== 409 || outcome.code !== "illegal_state" || !item.body || !item.body.action) return false;
    if (!/\/transitions\/$/.test(item.url)) return false;
    try {
      const data = await call(item.url.replace(/transitions\/$/, ""), { headers: headers() });
      const timeline = data.timeline || [];
      return timeline.length > 0 && timeline[timeline.length - 1].action === item.body.action;
    } catch (e) {
      return false;
    }
  }

  async function sendOne(item) {
    const uploaded = Object.assign({}, item.uploaded);
    for (const photo of item.photos) {
      if (uploaded[photo.id]) continue;
      const form = new FormData();
      form.append("file", photo.blob, photo.name || "photo.jpg");
      form.append("client_uuid", photo.id);
      let data;
      try {
        data = await call(
          "/api/v1/uploads/",
          { method: "POST", headers: headers({ "Idempotency-Key": photo.id }), body: form },
          UPLOAD_TIMEOUT_MS
        );
      } catch (e) {
        // A refused photo: its message goes beside the photo input it was chosen in.
        if (e instanceof Outcome && e.kind === "attention" && !e.signin) {
          const messages = [...new Set([].concat(...Object.values(e.fields || {}), e.message ? [e.message] : []))];
          e.fields = { [photo.input || "uploads"]: messages.slice(0, 1) };
        }
        throw e;
      }
      uploaded[photo.id] = data.id;
      await Outbox.update(item.id, { uploaded });
    }
    const body = JSON.parse(JSON.stringify(item.body));
    for (const photo of item.photos) putAt(body, targetOf(item, photo), uploaded[photo.id]);
    // The phone's clock at this attempt: with a time the form recorded (a sign-in's scan),
    // the server can place that moment on its own clock whatever the phone's offset.
    const extra = { "Content-Type": "application/json", "X-Client-Sent-At": new Date().toISOString() };
    if (item.key_header !== false) extra["Idempotency-Key"] = item.id;
    return call(item.url, { method: "POST", headers: headers(extra), body: JSON.stringify(body) });
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

  /** The refusal as one line: each field's messages after its label (never the API's name). */
  function describe(item, outcome) {
    const labels = (item.draft && item.draft.labels) || {};
    const colon = CHINESE ? "：" : ": ";
    const lines = [];
    for (const [path, messages] of Object.entries(outcome.fields || {})) {
      const head = path.split(".")[0];
      const label = path === "non_field_errors" ? "" : labels[path] || labels[path.split(".").slice(0, 2).join(".")] || labels[head] || "";
      for (const message of messages) lines.push(label ? label + colon + message : message);
    }
    if (!lines.length) lines.push(outcome.message || MSG.refused);
    return lines.join(CHINESE ? "；" : "; ");
  }

  async function markSent(item, response, alreadyDoneBefore) {
    const result = response && typeof response === "object" ? { id: response.id, number: response.number } : {};
    // Kept a day as a line of history; the body and the photos go at once.
    await Outbox.update(item.id, {
      state: "sent",
      sent_at: Date.now(),
      result,
      body: null,
      photos: [],
      uploaded: {},
      draft: null,
      error: "",
      fields: null,
    });
    document.dispatchEvent(
      new CustomEvent("juli:sent", {
        // `answer` is the server's answer (the created record: report.js shows its number).
        detail: { id: item.id, after: item.after || "", answer: response || null, already_done: !!alreadyDoneBefore },
      })
    );
  }

  async function drain(force) {
    const all = await Outbox.forUser(USER);
    // This is the one sender of the browser (the lock): "sending" was left by a closed tab.
    for (const stale of all.filter((i) => i.state === "sending")) await Outbox.update(stale.id, { state: "waiting" });
    const items = all.filter((i) => i.state === "waiting" || i.state === "sending");
    for (const item of items) {
      if (!force && item.next_at > Date.now()) continue;
      await Outbox.update(item.id, { state: "sending" });
      try {
        const response = await sendOne(item);
        await markSent(item, response, false);
      } catch (e) {
        const outcome = e instanceof Outcome ? e : new Outcome("retry", MSG.transport);
        if (outcome.kind === "retry") {
          const attempts = (item.attempts || 0) + 1;
          await Outbox.update(item.id, { state: "waiting", attempts, next_at: Date.now() + backoff(attempts), error: outcome.message });
          break; // the network or the server is down: try the rest later, not now
        }
        if (outcome.kind === "done" || (await alreadyDone(item, outcome))) {
          await markSent(item, null, true);
          continue;
        }
        await Outbox.update(item.id, {
          state: "attention",
          error: outcome.signin ? MSG.signin : describe(item, outcome),
          fields: outcome.fields || {},
          status: outcome.status || 0,
          code: outcome.code || "",
          signin: !!outcome.signin,
          attention_at: Date.now(),
        });
        document.dispatchEvent(new CustomEvent("juli:refused", { detail: { id: item.id } }));
      }
    }
  }

  async function flush(force) {
    if (sending || !navigator.onLine) {
      requestRender();
      return;
    }
    sending = true;
    clearTimeout(timer);
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
      requestRender();
      schedule();
    }
  }

  async function schedule() {
    let items = [];
    try {
      items = (await Outbox.forUser(USER)).filter((i) => i.state === "waiting");
    } catch (e) {
      return;
    }
    if (!items.length) return;
    const next = Math.min(...items.map((i) => i.next_at || 0));
    clearTimeout(timer);
    timer = setTimeout(() => flush(false), Math.max(0, next - Date.now()) + 50);
  }

  window.addEventListener("online", () => flush(true));
  window.addEventListener("offline", requestRender);
  Outbox.onChange(requestRender);

  // --- Messages at the field ---------------------------------------------------------------

  /** A problem of one field: shown beside it (builders may throw one). */
  class FieldProblem extends Error {
    constructor(element, message) {
      super(message);
      this.element = element;
    }
  }
  Outbox.FieldProblem = FieldProblem;

  let errorSeq = 0;
  const errorOf = new WeakMap();

  /** Where a field's message goes: after the photo list for photos, else after the field. */
  function placeError(el, p) {
    if (el.classList.contains("photo-input")) {
      const box = el.closest(".photo-field, .fail-detail, .field") || el.parentElement;
      const thumbs = box.querySelector(".thumbs");
      if (thumbs) thumbs.after(p);
      else box.append(p);
      return;
    }
    if (el.type === "radio" || el.type === "checkbox") {
      const group = el.closest("[role=radiogroup], fieldset, .field") || el.parentElement;
      group.append(p);
      return;
    }
    const holder = el.closest("label") && el.closest("label").contains(el) ? el.closest("label") : el;
    holder.after(p);
  }

  function showFieldError(el, message) {
    let p = errorOf.get(el);
    if (!p || !p.isConnected) {
      p = document.createElement("p");
      p.className = "field-error error";
      p.setAttribute("role", "alert");
      p.id = "field-error-" + ++errorSeq;
      placeError(el, p);
      errorOf.set(el, p);
      el.addEventListener("input", () => clearFieldError(el), { once: true });
      el.addEventListener("change", () => clearFieldError(el), { once: true });
    }
    p.textContent = message;
    p.hidden = false;
    el.setAttribute("aria-invalid", "true");
    const described = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (!described.includes(p.id)) el.setAttribute("aria-describedby", [...described, p.id].join(" "));
  }

  function clearFieldError(el) {
    const p = errorOf.get(el);
    el.removeAttribute("aria-invalid");
    if (!p) return;
    const described = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && id !== p.id);
    if (described.length) el.setAttribute("aria-describedby", described.join(" "));
    else el.removeAttribute("aria-describedby");
    p.remove();
    errorOf.delete(el);
  }

  function clearErrors(form) {
    form.querySelectorAll("[aria-invalid=true]").forEach(clearFieldError);
    const general = form.querySelector(".form-error");
    if (general) general.hidden = true;
  }

  function formError(form, message) {
    const general = form.querySelector(".form-error");
    if (!general) return;
    general.textContent = message;
    general.hidden = false;
  }

  /** Show the problems beside their fields and focus the first one. */
  function showProblems(form, problems, intro) {
    for (const p of problems) showFieldError(p.element, p.message);
    formError(form, intro || MSG.check_fields);
    const first = problems[0] && problems[0].element;
    if (first) {
      first.scrollIntoView({ block: "center" });
      first.focus({ preventScroll: true });
    }
  }

  // --- Photos: checked as they are chosen ---------------------------------------------------

  const HEIF_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "heif"]);

  /** What the first bytes say (as the server's core.uploads.sniff): jpeg, png, heif, another
   * image kind the server refuses, or null for no image at all. */
  function sniff(b) {
    const text = (from, to) => String.fromCharCode(...b.slice(from, to));
    if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
    if (text(0, 8) === "\x89PNG\r\n\x1a\n") return "png";
    if (text(4, 8) === "ftyp") {
      const brands = [text(8, 12)];
      for (let i = 16; i + 4 <= Math.min(b.length, 64); i += 4) brands.push(text(i, i + 4));
      if (brands.some((x) => HEIF_BRANDS.has(x))) return "heif";
      if (brands.some((x) => x === "avif" || x === "avis")) return "avif";
      return null;
    }
    if (text(0, 4) === "GIF8") return "gif";
    if (text(0, 4) === "RIFF" && text(8, 12) === "WEBP") return "webp";
    if (text(0, 2) === "BM") return "bmp";
    if (text(0, 4) === "II*\x00" || text(0, 4) === "MM\x00*") return "tiff";
    return null;
  }

  /** Why `file` cannot go as a photo from `input` (a message), or "" when it can. */
  async function photoProblem(file, input) {
    const maxBytes = Number(input.dataset.maxBytes || 0);
    if (!file.size) return MSG.photo_empty;
    if (maxBytes && file.size > maxBytes) return fmt(MSG.photo_too_large, { mb: +(maxBytes / 1048576).toFixed(1) });
    if (file.type && !file.type.startsWith("image/")) return MSG.not_a_photo;
    let head;
    try {
      head = new Uint8Array(await file.slice(0, 64).arrayBuffer());
    } catch (e) {
      return MSG.not_a_photo;
    }
    const kind = sniff(head);
    if (kind === null) return MSG.not_a_photo;
    if (!["jpeg", "png", "heif"].includes(kind)) return fmt(MSG.photo_format, { kind: kind.toUpperCase() });
    return "";
  }

  const pendingChecks = new Set();

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

  function thumbsOf(input) {
    return input.closest(".fail-detail, .photo-field").querySelector(".thumbs");
  }

  /** The × on a thumbnail tile: `onRemove` takes the tile and its photo away. */
  function removeButton(onRemove) {
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "thumb-remove";
    remove.textContent = "×";
    remove.setAttribute("aria-label", MSG.discard);
    remove.addEventListener("click", onRemove);
    return remove;
  }

  function addPhoto(input, photo) {
    const list = chosen.get(input);
    list.push(photo);
    const li = document.createElement("li");
    const img = document.createElement("img");
    img.src = URL.createObjectURL(photo.blob);
    img.alt = photo.name || "";
    li.append(
      img,
      removeButton(() => {
        list.splice(list.indexOf(photo), 1);
        li.remove();
      })
    );
    thumbsOf(input).append(li);
  }

  function clearPhotos(input) {
    chosen.set(input, []);
    refusedOf.set(input, []);
    thumbsOf(input).replaceChildren();
  }

  /** A file refused as a photo stays in the list as a named tile with its message until the
   * user removes it (×) or chooses again: the form is not sent while one is there, so a
   * photo never goes missing unnoticed. */
  const refusedOf = new WeakMap();

  function showRefused(input, list) {
    const thumbs = thumbsOf(input);
    thumbs.querySelectorAll(".thumb-refused").forEach((li) => li.remove());
    refusedOf.set(input, list);
    for (const entry of list) {
      const li = document.createElement("li");
      li.className = "thumb-refused";
      const name = document.createElement("span");
      name.textContent = entry.name || "?";
      li.append(
        name,
        removeButton(() => {
          list.splice(list.indexOf(entry), 1);
          li.remove();
          if (!list.length) clearFieldError(input);
        })
      );
      thumbs.append(li);
    }
    if (list.length) showFieldError(input, list.map((e) => e.text).join(" "));
  }

  document.querySelectorAll(".photo-input").forEach((input) => {
    chosen.set(input, []);
    input.addEventListener("change", () => {
      const files = Array.from(input.files);
      input.value = "";
      const check = (async () => {
        const refused = [];
        for (const file of files) {
          const problem = await photoProblem(file, input);
          if (problem) {
            refused.push({ name: file.name, text: file.name ? file.name + (CHINESE ? "：" : ": ") + problem : problem });
            continue;
          }
          addPhoto(input, { id: Outbox.uuid(), blob: new Blob([file], { type: file.type }), name: file.name, type: file.type, input: input.name });
        }
        // Shown after the change event's own clearing of the field's old message.
        await new Promise((resolve) => setTimeout(resolve, 0));
        showRefused(input, refused);
      })();
      pendingChecks.add(check);
      check.finally(() => pendingChecks.delete(check));
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

  function isBlank(value) {
    return value === "" || value === null || (Array.isArray(value) && !value.length);
  }

  /** What the server would refuse and the page can know, field by field (see the top). */
  function checkForm(form) {
    const problems = [];
    const seenGroups = new Set();
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.closest("[hidden]")) continue;
      if (["submit", "button", "hidden", "reset", "image"].includes(el.type)) continue;
      if (el.classList.contains("photo-input")) {
        const photos = chosen.get(el) || [];
        const max = Number(el.dataset.maxFiles || 0);
        const min = Number(el.dataset.minFiles || (el.required ? 1 : 0));
        const maxBytes = Number(el.dataset.maxBytes || 0);
        const refused = refusedOf.get(el) || [];
        if (refused.length) problems.push(new FieldProblem(el, refused.map((e) => e.text).join(" ")));
        else if (photos.length < min) problems.push(new FieldProblem(el, MSG.photo_required));
        else if (max && photos.length > max) problems.push(new FieldProblem(el, fmt(MSG.too_many_photos, { max, n: photos.length })));
        else if (maxBytes && photos.some((p) => p.blob.size > maxBytes)) {
          problems.push(new FieldProblem(el, fmt(MSG.photo_too_large, { mb: +(maxBytes / 1048576).toFixed(1) })));
        }
        continue;
      }
      if (el.type === "file") continue;
      if (el.type === "radio") {
        if (seenGroups.has(el.name)) continue;
        seenGroups.add(el.name);
        const group = Array.from(form.elements).filter((x) => x.type === "radio" && x.name === el.name);
        if (group.some((x) => x.required) && !group.some((x) => x.checked)) problems.push(new FieldProblem(el, MSG.choose));
        continue;
      }
      if (el.type === "checkbox") {
        if (el.required && !el.checked) problems.push(new FieldProblem(el, MSG.required));
        continue;
      }
      const value = el.multiple ? Array.from(el.selectedOptions, (o) => o.value) : el.value.trim();
      if (el.required && isBlank(value)) {
        problems.push(new FieldProblem(el, el.tagName === "SELECT" ? MSG.choose : MSG.required));
        continue;
      }
      const max = el.maxLength > 0 ? el.maxLength : Number(el.dataset.maxlength || 0);
      const length = typeof value === "string" ? [...value].length : 0;
      if (max && length > max) problems.push(new FieldProblem(el, fmt(MSG.too_long, { max, n: length })));
    }
    return problems;
  }

  /** Any form: its named fields as they are typed (numbers for type=number or
   * data-number, true/false for a checkbox, a list for a multiple select). Photos go to the
   * body field their input names (data-field, "uploads" by default). */
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
      if (el.required && isBlank(value)) throw new FieldProblem(el, MSG.required);
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
      const textarea = li.querySelector("textarea");
      const note = passed ? "" : textarea.value.trim();
      if (!passed && !note) throw new FieldProblem(textarea, MSG.note_needed);
      if (!passed) photos.push(...photosOf(li, ["results", results.length, "uploads"]));
      results.push({ item, passed, note, uploads: [] });
    }
    return { body: { point: Number(form.dataset.point), started_at: STARTED_AT, results }, photos };
  }

  function caseOf(form) {
    const where = form.elements.where.value;
    if (!where) throw new FieldProblem(form.elements.where, MSG.where_needed);
    const [kind, pk] = where.split(":");
    // No default category (the report page makes the user choose one).
    if (!form.elements.category.value) throw new FieldProblem(form.elements.category, MSG.category_needed || MSG.choose);
    const body = {
      category: Number(form.elements.category.value),
      title: form.elements.title.value.trim(),
      description: form.elements.description.value.trim(),
      uploads: [],
    };
    body[kind] = Number(pk);
    return { body, photos: photosOf(form, ["uploads"]) };
  }

  function transitionOf(form) {
    const note = form.elements.note.value.trim();
    if ("needsNote" in form.dataset && !note) throw new FieldProblem(form.elements.note, MSG.reason_needed);
    const photos = photosOf(form, ["uploads"]);
    if ("needsPhoto" in form.dataset && !photos.length) {
      throw new FieldProblem(form.querySelector(".photo-input"), MSG.photo_needed);
    }
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

  // --- Drafts: a refused item re-opens as its form -------------------------------------------

  function labelOf(el) {
    if (el.dataset.label) return el.dataset.label;
    if (el.classList.contains("photo-input")) return MSG.photo_label;
    // A fieldset asking for this one field names it best (its own label may be "more …").
    const set = el.closest("fieldset");
    const legend = set && set.querySelector(":scope > legend");
    if (legend && Array.from(set.elements).every((x) => !x.name || x.name === el.name)) {
      return legend.textContent.trim().split("\n")[0].trim();
    }
    const label = el.labels && el.labels[0];
    return label ? label.textContent.trim().split("\n")[0].trim() : "";
  }

  /** The form as the user left it: its page, its values, and its fields' labels by every
   * name the API may give them (element names, data-api-field aliases, results.N). */
  function draftOf(form) {
    const values = [];
    const labels = {};
    for (const el of form.elements) {
      if (!el.name || el.type === "submit" || el.type === "button") continue;
      const label = labelOf(el);
      if (label && !labels[el.name]) labels[el.name] = label;
      for (const alias of (el.dataset.apiField || "").split(/\s+/).filter(Boolean)) labels[alias] = labels[alias] || label;
      if (el.classList.contains("photo-input")) {
        labels[el.dataset.field || "uploads"] = labels[el.dataset.field || "uploads"] || label;
        continue;
      }
      if (el.type === "file") continue;
      if (el.type === "radio" || el.type === "checkbox") values.push({ name: el.name, value: el.value, checked: el.checked });
      else if (el.multiple) values.push({ name: el.name, values: Array.from(el.selectedOptions, (o) => o.value) });
      else values.push({ name: el.name, value: el.value });
    }
    form.querySelectorAll(".check-item").forEach((li, i) => {
      const text = li.querySelector(".check-text, legend");
      if (text) labels["results." + i] = text.textContent.trim();
    });
    return { page: location.pathname, form: form.id || "", values, labels };
  }

  function restoreValues(form, values) {
    const touched = new Set();
    for (const saved of values) {
      const found = form.elements.namedItem(saved.name);
      if (!found) continue;
      const els = found instanceof RadioNodeList ? Array.from(found) : [found];
      for (const el of els) {
        if (el.type === "radio" || el.type === "checkbox") {
          if (el.value === saved.value) el.checked = saved.checked;
        } else if (saved.values) {
          Array.from(el.options).forEach((o) => (o.selected = saved.values.includes(o.value)));
        } else {
          el.value = saved.value;
        }
        touched.add(el);
      }
    }
    // Page scripts (shown/hidden parts, counters) follow the restored values.
    touched.forEach((el) => {
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  /** The form field the API's `path` is about (element name, data-api-field, results.N.x,
   * a photo input by its body field), or null. */
  function fieldFor(form, path) {
    const parts = path.split(".");
    const head = parts[0];
    for (const el of form.querySelectorAll("[data-api-field]")) {
      const aliases = el.dataset.apiField.split(/\s+/);
      if (aliases.includes(path) || aliases.includes(head)) return el;
    }
    if (head === "results" && parts.length > 1) {
      const li = form.querySelectorAll(".check-item")[Number(parts[1])];
      if (li) return (parts[2] === "uploads" && li.querySelector(".photo-input")) || li.querySelector("textarea") || li.querySelector("input");
    }
    for (const name of [path, head]) {
      const found = form.elements.namedItem(name);
      if (found) return found instanceof RadioNodeList ? found[0] : found;
    }
    return Array.from(form.querySelectorAll(".photo-input")).find((i) => (i.dataset.field || "uploads") === head) || null;
  }

  function formFor(item) {
    const byId = item.draft.form && document.getElementById(item.draft.form);
    if (byId && byId.matches(`form[data-outbox="${CSS.escape(item.kind)}"]`)) return byId;
    return document.querySelector(`form[data-outbox="${CSS.escape(item.kind)}"]`);
  }

  async function edit(item) {
    const target = item.draft.page + "#outbox-edit=" + item.id;
    if (location.pathname !== item.draft.page) {
      location.assign(target);
      return;
    }
    history.replaceState(null, "", target);
    await reopen(item.id);
  }

  /** Put a refused item back into its form on this page: values, photos (new ids: they are
   * uploaded again), the server's messages beside the fields. Resubmitting replaces it. */
  async function reopen(id) {
    const item = await Outbox.get(id);
    if (!item || item.user !== USER || item.state !== "attention" || !item.draft) return false;
    const form = formFor(item);
    if (!form) {
      listEl.querySelectorAll(`li[data-id="${CSS.escape(id)}"] .outbox-why`).forEach((p) => (p.textContent = MSG.edit_missing));
      return false;
    }
    document.querySelectorAll("form[data-outbox]").forEach((f) => (f.hidden = false));
    const done = document.getElementById("form-done");
    if (done) done.hidden = true;
    form.reset();
    form.querySelectorAll(".photo-input").forEach(clearPhotos);
    clearErrors(form);
    restoreValues(form, item.draft.values);
    const inputs = Array.from(form.querySelectorAll(".photo-input"));
    for (const photo of item.photos || []) {
      const input = inputs.find((i) => i.name === photo.input) || (inputs.length === 1 ? inputs[0] : null);
      if (input) addPhoto(input, { id: Outbox.uuid(), blob: photo.blob, name: photo.name, type: photo.type, input: input.name });
    }
    form.dataset.replaces = item.id;
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = false;
    const problems = [];
    const general = [];
    for (const [path, messages] of Object.entries(item.fields || {})) {
      const el = path === "non_field_errors" ? null : fieldFor(form, path);
      if (el) problems.push(new FieldProblem(el, messages.join(" ")));
      else general.push(...messages);
    }
    if (!problems.length && !general.length) general.push(item.error || MSG.refused);
    const intro = [MSG.edit_intro, ...general].join(" ");
    if (problems.length) showProblems(form, problems, intro);
    else {
      formError(form, intro);
      form.scrollIntoView({ block: "start" });
    }
    return true;
  }

  document.querySelectorAll("form[data-outbox]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      await Promise.all([...pendingChecks]);
      const kind = KINDS[form.dataset.outbox];
      let built, url;
      const problems = checkForm(form);
      if (problems.length) {
        showProblems(form, problems);
        return;
      }
      try {
        if (!kind || !Outbox.builders[kind.build]) throw new Error(MSG.unknown_kind);
        // The builder is looked up now, not at load: a page's script may add it later.
        built = Outbox.builders[kind.build](form, { MSG, STARTED_AT, photosOf, FieldProblem });
        url = urlFor(kind, form);
      } catch (e) {
        if (e instanceof FieldProblem && e.element) showProblems(form, [e]);
        else formError(form, e.message);
        return;
      }
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      // Always a new id, also for a refused item submitted again: its refusal is not stored
      // by the server, but a new id can never replay anything.
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
          draft: draftOf(form),
          state: "waiting",
          attempts: 0,
          next_at: 0,
          error: "",
          fields: null,
          created_at: Date.now(),
        });
        if (form.dataset.replaces) {
          await Outbox.remove(form.dataset.replaces);
          delete form.dataset.replaces;
          if (EDIT_HASH.test(location.hash)) history.replaceState(null, "", location.pathname + location.search);
        }
      } catch (e) {
        formError(form, MSG.no_storage);
        button.disabled = false;
        return;
      }
      document.querySelectorAll("form[data-outbox]").forEach((f) => (f.hidden = true));
      const done = document.getElementById("form-done");
      done.dataset.id = id;
      done.dataset.state = "queued";
      done.querySelector(".done-text").textContent = navigator.onLine ? MSG.queued : MSG.offline;
      done.hidden = false;
      button.disabled = false;
      requestRender();
      flush(true);
    });
  });

  document.addEventListener("juli:sent", (event) => {
    const done = document.getElementById("form-done");
    if (done && done.dataset.id === event.detail.id) {
      done.dataset.state = "sent";
      done.querySelector(".done-text").textContent = event.detail.already_done ? MSG.already_done : MSG.sent;
      // The kind says where to go once its submission was accepted (none: stay here).
      if (event.detail.after) window.location.assign(event.detail.after);
    }
  });

  // Refused while its page is still open: the form comes back at once, as it was.
  document.addEventListener("juli:refused", (event) => {
    const done = document.getElementById("form-done");
    if (done && !done.hidden && done.dataset.id === event.detail.id) {
      done.dataset.state = "attention";
      reopen(event.detail.id);
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
    // Drop only what /m/ itself cached last time and no longer lists: other phone pages
    // (the meetings pages under /m/meetings/) keep their own pages in the same cache.
    const OWN = "juli-precached:" + HOME;
    let previous = [];
    try {
      previous = JSON.parse(localStorage.getItem(OWN) || "[]");
    } catch (e) {
      previous = [];
    }
    for (const url of previous) {
      if (!keep.has(url)) await cache.delete(url);
    }
    try {
      localStorage.setItem(OWN, JSON.stringify([...keep]));
    } catch (e) {
      // private mode or full storage: the next visit prunes nothing, which is harmless
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
  const editing = location.hash.match(EDIT_HASH);
  const opened = editing ? reopen(editing[1]) : Promise.resolve(false);
  opened
    .catch(() => false)
    .then(() => Outbox.prune(USER))
    .catch(() => {})
    .then(render)
    .then(() => flush(true))
    .then(precachePages);
})();
