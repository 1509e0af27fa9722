/* Juli phone report (/m/report/): the taps between the photo and "send".
 *
 * The form itself is built and queued by field.js (builder "case"); this script only helps
 * fill it, and never chooses for the user:
 * - category: the big buttons (the most reported here) set the full list's <select>; nothing
 *   is preselected;
 * - place: the phone's position is read once when the page opens; the server suggests the
 *   nearest point or the area around it (GET nearby_url), or offline the nearest point of
 *   the page's list within point_radius_m; one tap on the suggestion sets the <select>;
 * - "already reported?": open cases near the fix or at the chosen place, online only
 *   (offline nothing is shown);
 * - the description's live length counter;
 * - after sending: the case number and a link to follow it, from the server's answer that
 *   field.js hands over with the "juli:sent" event.
 * Configuration and texts come from the page (#report-config, json_script).
 */
(function () {
  "use strict";
  const form = document.getElementById("report-form");
  const configEl = document.getElementById("report-config");
  if (!form || !configEl) return;
  const CONFIG = JSON.parse(configEl.textContent);
  const T = CONFIG.messages;
  const category = form.elements.category;
  const where = form.elements.where;
  let fix = null;
  let asked = 0;

  function fill(text, values) {
    return Object.entries(values).reduce((out, [k, v]) => out.replace("%(" + k + ")s", v), text);
  }

  function changed(select) {
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  /** Buttons in `group` that set `select`: pressed when theirs is the select's value. */
  function pressOn(group, select) {
    group.addEventListener("click", (event) => {
      const button = event.target.closest("button.choice");
      if (!button) return;
      select.value = button.dataset.value;
      changed(select);
    });
    const sync = () =>
      group.querySelectorAll("button.choice").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.value === select.value)));
    select.addEventListener("change", sync);
    sync();
  }

  // --- Category -----------------------------------------------------------------------------
  pressOn(document.getElementById("r-frequent"), category);

  // --- Length counters ----------------------------------------------------------------------
  document.querySelectorAll(".char-count[data-for]").forEach((counter) => {
    const field = document.getElementById(counter.dataset.for);
    if (!field) return;
    const update = () => {
      counter.textContent = fill(T.chars, { n: field.value.length, max: field.maxLength });
      counter.classList.toggle("near-limit", field.value.length > field.maxLength * 0.9);
    };
    field.addEventListener("input", update);
    update();
  });

  // --- Place ----------------------------------------------------------------------------------
  const suggest = document.getElementById("r-suggest");
  const locating = document.getElementById("r-locating");
  pressOn(suggest, where);

  function hasOption(value) {
    return Array.from(where.options).some((o) => o.value === value);
  }

  function offer(place) {
    if (!place || !hasOption(place.value)) {
      locating.textContent = T.no_fix;
      suggest.hidden = true;
      return;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "choice place";
    button.dataset.value = place.value;
    button.setAttribute("aria-pressed", String(where.value === place.value));
    const name = document.createElement("span");
    name.textContent = fill(T.suggested, { place: place.name });
    button.append(name);
    if (place.distance_m !== null && place.distance_m !== undefined) {
      const far = document.createElement("small");
      far.textContent = fill(T.metres, { m: place.distance_m });
      button.append(" ", far);
    }
    suggest.replaceChildren(button);
    suggest.hidden = false;
    locating.textContent = "";
  }

  function metres(lat1, lng1, lat2, lng2) {
    const rad = Math.PI / 180;
    const a =
      Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lng2 - lng1) * rad) / 2) ** 2;
    return Math.round(2 * 6371008.8 * Math.asin(Math.sqrt(a)));
  }

  /** Offline: the nearest point of the page's list within the radius (areas need the server). */
  function nearestPoint(at) {
    let best = null;
    for (const p of CONFIG.points) {
      const d = metres(at.lat, at.lng, Number(p.lat), Number(p.lng));
      if (d <= CONFIG.point_radius_m && (!best || d < best.distance_m)) best = { value: p.value, name: p.name, distance_m: d };
    }
    return best;
  }

  async function nearby(params) {
    if (!navigator.onLine) return null;
    const url = new URL(CONFIG.nearby_url, location.origin);
    for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") url.searchParams.set(k, v);
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
      return response.ok ? await response.json() : null;
    } catch (e) {
      return null; // offline after all: skip silently
    }
  }

  // --- Already reported? ------------------------------------------------------------------------
  const section = document.getElementById("r-nearby");
  const list = section.querySelector(".nearby-list");

  function row(c) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.className = "nearby-case";
    link.href = CONFIG.case_url.replace("{id}", c.id);
    if (c.thumbnail_url) {
      const img = document.createElement("img");
      img.src = c.thumbnail_url;
      img.alt = "";
      img.loading = "lazy";
      link.append(img);
    } else {
      const none = document.createElement("span");
      none.className = "no-thumb";
      none.setAttribute("aria-hidden", "true");
      link.append(none);
    }
    const text = document.createElement("span");
    text.className = "nearby-text";
    const main = document.createElement("strong");
    main.textContent = c.category.name;
    const status = document.createElement("span");
    status.className = "badge status-" + c.status;
    status.textContent = c.status_label;
    const sub = document.createElement("span");
    sub.className = "tap-sub";
    const place = c.point ? c.point.name : c.area.name;
    sub.textContent = [c.number, place, c.distance_m !== null ? fill(T.metres, { m: c.distance_m }) : ""].filter(Boolean).join(" · ");
    text.append(main, " ", status, sub);
    const open = document.createElement("span");
    open.className = "button open";
    open.textContent = T.open_case;
    link.append(text, open);
    li.append(link);
    return li;
  }

  function show(results) {
    list.replaceChildren(...results.map(row));
    if (!results.length) {
      const li = document.createElement("li");
      li.className = "empty muted";
      li.textContent = T.nearby_none;
      list.append(li);
    }
    section.dataset.count = String(results.length);
    section.hidden = false;
  }

  async function lookAround() {
    const [kind, pk] = where.value.split(":");
    const ticket = ++asked;
    const params = fix ? { lat: fix.lat, lng: fix.lng } : {};
    if (pk) params[kind] = pk;
    if (!Object.keys(params).length) return;
    const answer = await nearby(params);
    if (answer && ticket === asked) show(answer.results);
    return answer;
  }

  where.addEventListener("change", lookAround);

  function locate() {
    if (!navigator.geolocation) {
      locating.textContent = T.no_fix;
      return;
    }
    locating.textContent = T.locating;
    navigator.geolocation.getCurrentPosition(
      async (p) => {
        fix = { lat: +p.coords.latitude.toFixed(6), lng: +p.coords.longitude.toFixed(6) };
        const answer = await lookAround();
        offer(answer ? answer.place : nearestPoint(fix));
      },
      () => (locating.textContent = T.no_fix),
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
    );
  }

  // --- After sending ----------------------------------------------------------------------------
  document.addEventListener("juli:sent", (event) => {
    const done = document.getElementById("form-done");
    if (!done || done.dataset.id !== event.detail.id) return;
    const answer = event.detail.answer || {};
    if (!answer.number) return; // field.js has said "sent"; 我的上报 lists it
    const number = document.getElementById("done-number");
    number.textContent = fill(T.sent_number, { number: answer.number });
    number.hidden = false;
    const follow = document.getElementById("done-follow");
    follow.href = CONFIG.case_url.replace("{id}", answer.id);
    follow.hidden = false;
  });

  if (where.value) lookAround();
  locate();
})();
