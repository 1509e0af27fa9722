/* Meetings on the phone (/m/meetings/): the sign-in page and the list of my meetings.
 *
 * Sign-in page (/m/meetings/sign/?c=<code>): the code comes from the URL (the QR opened the
 * page), from the in-page camera scanner (BarcodeDetector where the browser has it, else the
 * vendored jsQR on video frames) or typed. The moment of the scan goes in `scanned_at` (the
 * phone's clock; field.js adds the sending moment as the X-Client-Sent-At header, and the
 * server places the scan on its own clock from the two). The form goes through the outbox
 * (kind meetings.signin), so a sign-in made offline is sent when the network returns.
 *
 * The page's HTML does not depend on the code: the service worker may serve a copy cached
 * for another code. What the server said of the code when the copy was made
 * (#sign-checked[data-code-for]) is shown only when it is this URL's code.
 *
 * My meetings (/m/meetings/, [data-precache-pages]): the pages it links with
 * data-offline-page are put into the field pages' cache ("juli-pages", the one the service
 * worker reads), so they open without a network.
 */
(function () {
  "use strict";
  const PAGES_CACHE = "juli-pages";
  const msgEl = document.getElementById("field-messages");
  const MSG = msgEl ? JSON.parse(msgEl.textContent) : {};

  // --- My meetings: keep the linked pages for offline use ----------------------------------

  async function precache() {
    if (!document.querySelector("[data-precache-pages]") || !("caches" in window) || !navigator.onLine) return;
    const urls = new Set([location.pathname]);
    document.querySelectorAll("a[data-offline-page]").forEach((a) => urls.add(a.pathname));
    const cache = await caches.open(PAGES_CACHE);
    for (const url of urls) {
      try {
        const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
        if (response.ok && !response.redirected) await cache.put(location.origin + url, response);
      } catch (e) {
        break; // offline again: keep what we have
      }
    }
    document.body.dataset.meetingsPrecached = String(urls.size);
  }
  precache().catch(() => {});

  // --- Sign-in page -------------------------------------------------------------------------

  const form = document.getElementById("sign-form");
  if (!form) return;
  const codeInput = document.getElementById("s-code");
  const scannedAt = document.getElementById("s-scanned-at");
  const submit = document.getElementById("sign-submit");
  const checked = document.getElementById("sign-checked");

  function codeFrom(text) {
    const raw = String(text || "").trim();
    try {
      const url = new URL(raw, location.origin);
      const c = url.searchParams.get("c");
      if (c) return c.trim();
    } catch (e) {
      /* not a URL: the code itself */
    }
    return raw;
  }

  function useCode(code, when) {
    codeInput.value = code;
    scannedAt.value = (when || new Date()).toISOString();
    const problem = checked && checked.dataset.codeFor === code ? checked.dataset.problem : "";
    if (checked) checked.hidden = checked.dataset.codeFor !== code;
    submit.disabled = !!problem;
  }

  const fromUrl = new URLSearchParams(location.search).get("c");
  if (fromUrl) useCode(fromUrl.trim(), new Date());

  codeInput.addEventListener("input", () => {
    // A typed code is scanned when it is typed; a previous check does not apply to it.
    scannedAt.value = "";
    if (checked) checked.hidden = checked.dataset.codeFor !== codeInput.value.trim();
    submit.disabled = false;
  });
  // Before field.js builds the body (capture runs first): a typed code's moment is now.
  document.addEventListener(
    "submit",
    (event) => {
      if (event.target === form && !scannedAt.value) scannedAt.value = new Date().toISOString();
    },
    true
  );

  document.addEventListener("juli:sent", (event) => {
    const answer = event.detail && event.detail.answer;
    const out = document.getElementById("sign-result");
    if (!out || !answer || !answer.attendee) return;
    out.textContent = answer.detail || "";
    out.dataset.status = answer.attendee.status;
    out.dataset.already = String(!!answer.already);
    out.hidden = false;
  });

  // --- The camera ---------------------------------------------------------------------------

  const scanner = document.getElementById("scanner");
  const video = document.getElementById("scanner-video");
  const hint = document.getElementById("scanner-hint");
  const start = document.getElementById("scan-start");
  let stream = null;

  function stop() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    scanner.hidden = true;
  }

  async function detector() {
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) {
          const d = new window.BarcodeDetector({ formats: ["qr_code"] });
          return async (source) => {
            const found = await d.detect(source);
            return found.length ? found[0].rawValue : "";
          };
        }
      } catch (e) {
        /* fall back to jsQR */
      }
    }
    if (!window.jsQR) return null;
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    return async (source) => {
      const w = source.videoWidth;
      const h = source.videoHeight;
      if (!w || !h) return "";
      canvas.width = w;
      canvas.height = h;
      ctx.drawImage(source, 0, 0, w, h);
      const found = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
      return found ? found.data : "";
    };
  }

  start.addEventListener("click", async () => {
    if (stream) return stop();
    const read = await detector();
    if (!read || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      hint.textContent = MSG.no_camera || "";
      scanner.hidden = false;
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (e) {
      hint.textContent = MSG.no_camera || "";
      scanner.hidden = false;
      return;
    }
    video.srcObject = stream;
    scanner.hidden = false;
    hint.textContent = MSG.scanning || "";
    await video.play().catch(() => {});
    const tick = async () => {
      if (!stream) return;
      let text = "";
      try {
        text = await read(video);
      } catch (e) {
        text = "";
      }
      if (text) {
        useCode(codeFrom(text), new Date());
        hint.textContent = MSG.code_read || "";
        stop();
        submit.focus();
        return;
      }
      window.setTimeout(tick, 250);
    };
    tick();
  });
})();
