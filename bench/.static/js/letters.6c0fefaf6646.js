/* Juli signature pad: draw on a <canvas> with a finger, a pen or a mouse (pointer events),
 * export as a PNG data URL into the form's hidden field on submit.
 *
 * Markup: <div class="sigpad" data-target="id-of-hidden-input">
 *           <canvas></canvas> <button type="button" data-clear>…</button></div>
 * The form is not submitted with an empty pad when the drawn method is chosen: the server
 * refuses a blank image anyway, this only saves a round trip.
 */
(function () {
  "use strict";

  function setup(pad) {
    var canvas = pad.querySelector("canvas");
    var target = document.getElementById(pad.getAttribute("data-target"));
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var inked = 0;
    var last = null;

    function resize() {
      // Keep the drawing buffer at the displayed size × device pixels, max 2x (size cap).
      var ratio = Math.min(window.devicePixelRatio || 1, 2);
      var rect = canvas.getBoundingClientRect();
      var width = Math.max(200, Math.round(rect.width * ratio));
      var height = Math.max(80, Math.round(rect.height * ratio));
      if (canvas.width === width && canvas.height === height) return;
      canvas.width = width;
      canvas.height = height;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 2.6;
      inked = 0;
      pad.classList.remove("has-ink");
    }

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = point(event);
      ctx.beginPath();
      ctx.arc(last.x, last.y, 1.2, 0, Math.PI * 2);
      ctx.fillStyle = "#111";
      ctx.fill();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      for (var i = 0; i < events.length; i++) {
        var p = point(events[i]);
        ctx.beginPath();
        ctx.moveTo(last.x, last.y);
        ctx.lineTo(p.x, p.y);
        ctx.stroke();
        inked += Math.abs(p.x - last.x) + Math.abs(p.y - last.y);
        last = p;
      }
      if (inked > 20) {
        pad.classList.add("has-ink");
        pad.classList.remove("needs-ink");
      }
    });
    function stop() {
      drawing = false;
      last = null;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    var clear = pad.querySelector("[data-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        inked = 0;
        pad.classList.remove("has-ink");
        if (target) target.value = "";
      });
    }

    var form = pad.closest("form");
    if (form) {
      form.addEventListener("submit", function (event) {
        var method = form.querySelector("input[name='method']:checked");
        var drawn = !method || method.value === "drawn";
        if (!drawn) {
          if (target) target.value = "";
          return;
        }
        if (inked <= 20) {
          event.preventDefault();
          pad.classList.add("needs-ink");
          return;
        }
        if (target) target.value = canvas.toDataURL("image/png");
        var button = form.querySelector("button[type='submit']");
        if (button) button.disabled = true; // one submission; the server is idempotent anyway
      });
    }

    resize();
    window.addEventListener("resize", function () {
      if (inked === 0) resize();
    });
  }

  function methodSwitch(form) {
    var radios = form.querySelectorAll("input[name='method']");
    function apply() {
      var checked = form.querySelector("input[name='method']:checked");
      var value = checked ? checked.value : "drawn";
      form.setAttribute("data-method", value);
    }
    for (var i = 0; i < radios.length; i++) radios[i].addEventListener("change", apply);
    apply();
  }

  function init() {
    var pads = document.querySelectorAll(".sigpad");
    for (var i = 0; i < pads.length; i++) setup(pads[i]);
    var forms = document.querySelectorAll("form.sign-form");
    for (var j = 0; j < forms.length; j++) methodSwitch(forms[j]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
