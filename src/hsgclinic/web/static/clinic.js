/* hsgclinic — small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* GB 11643 check digit of a resident ID number (18 characters). */
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";
  function checkResidentId(raw) {
    var v = (raw || "").replace(/\s+/g, "").toUpperCase();
    if (v.length === 0) return { state: "empty" };
    if (!/^\d{0,17}[\dX]?$/.test(v)) return { state: "bad", key: "chars" };
    if (v.length < 18) return { state: "partial", left: 18 - v.length };
    var y = +v.slice(6, 10), m = +v.slice(10, 12), d = +v.slice(12, 14);
    var dt = new Date(Date.UTC(y, m - 1, d));
    if (y < 1900 || dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) {
      return { state: "bad", key: "birth" };
    }
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += (+v[i]) * WEIGHTS[i];
    if (CHECK[sum % 11] !== v[17]) return { state: "bad", key: "check" };
    return { state: "ok", birth: v.slice(6, 10) + "-" + v.slice(10, 12) + "-" + v.slice(12, 14) };
  }
  window.hsgCheckResidentId = checkResidentId;

  function setupIdCheck(input) {
    var out = document.getElementById(input.getAttribute("data-id-status"));
    var kindSel = input.form && input.form.querySelector("[name=id_kind]");
    if (!out) return;
    function run() {
      if (kindSel && kindSel.value !== "resident") { out.textContent = ""; out.className = "hint"; input.removeAttribute("aria-invalid"); return; }
      var r = checkResidentId(input.value);
      var msg = "";
      if (r.state === "ok") { msg = out.getAttribute("data-ok"); out.className = "field-ok"; input.removeAttribute("aria-invalid"); }
      else if (r.state === "partial") { msg = out.getAttribute("data-left").replace("%(n)s", r.left); out.className = "hint"; input.removeAttribute("aria-invalid"); }
      else if (r.state === "bad") { msg = out.getAttribute("data-" + r.key); out.className = "field-error"; input.setAttribute("aria-invalid", "true"); }
      else { out.className = "hint"; input.removeAttribute("aria-invalid"); }
      out.textContent = msg || "";
    }
    /* A server error is already shown at the field and in the summary: say it once, not a third time live;
       once she edits the number the live check takes over and the stale server error goes. */
    var serverErr = document.getElementById(input.getAttribute("data-server-error") || "");
    function edited() {
      if (serverErr) { serverErr.parentNode.removeChild(serverErr); serverErr = null; }
      run();
    }
    input.addEventListener("input", edited);
    if (kindSel) kindSel.addEventListener("change", edited);
    if (input.value && !serverErr) run();
  }

  /* Countdown to the release time: the server gives the seconds left, the page counts down and reloads. */
  function setupCountdown(el) {
    var left = parseInt(el.getAttribute("data-seconds"), 10);
    if (isNaN(left)) return;
    var end = Date.now() + left * 1000;
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var s = Math.max(0, Math.round((end - Date.now()) / 1000));
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      el.textContent = pad(h) + ":" + pad(m) + ":" + pad(sec);
      if (s <= 0) { window.location.reload(); return; }
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  /* Move focus to the error summary or the result after a submit, so screen readers announce it. */
  function focusFirst() {
    var target = document.getElementById("form-errors") || document.querySelector("[data-autofocus]");
    if (target) { target.focus(); return; }
    if (window.location.hash === "#result") {
      var r = document.getElementById("result");
      if (r) r.focus();
    }
  }

  /* Screening form: ask the server for every rule's outcome as the form is filled in. */
  function setupLiveScreening(form) {
    var box = document.getElementById(form.getAttribute("data-live"));
    var url = form.getAttribute("data-live-url");
    if (!box || !url) return;
    var timer = null;
    function refresh() {
      var body = new URLSearchParams(new FormData(form));
      fetch(url, { method: "POST", body: body, headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) box.innerHTML = html; })
        .catch(function () {});
    }
    form.addEventListener("input", function () { window.clearTimeout(timer); timer = window.setTimeout(refresh, 250); });
    form.addEventListener("change", function () { window.clearTimeout(timer); timer = window.setTimeout(refresh, 50); });
  }

  /* Confirm buttons (no-show, refund, sign-off). */
  function setupConfirm(btn) {
    btn.addEventListener("click", function (e) {
      if (!window.confirm(btn.getAttribute("data-confirm"))) e.preventDefault();
    });
  }

  /* Kiosk: keep focus in the code box (barcode scanners type into it) and return to the start after a while. */
  function setupKiosk(input) {
    input.focus();
    document.addEventListener("click", function (e) { if (e.target === document.body) input.focus(); });
    var idle = parseInt(input.getAttribute("data-reset-after"), 10);
    if (idle > 0 && window.location.pathname !== "/kiosk") {
      window.setTimeout(function () { window.location.href = "/kiosk"; }, idle * 1000);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-id-status]"), setupIdCheck);
    Array.prototype.forEach.call(document.querySelectorAll("[data-seconds]"), setupCountdown);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-live]"), setupLiveScreening);
    Array.prototype.forEach.call(document.querySelectorAll("[data-confirm]"), setupConfirm);
    Array.prototype.forEach.call(document.querySelectorAll("[data-kiosk-input]"), setupKiosk);
    Array.prototype.forEach.call(document.querySelectorAll("[data-print-url]"), function (b) {
      b.addEventListener("click", function () {
        var f = document.createElement("iframe");
        f.style.display = "none"; f.src = b.getAttribute("data-print-url");
        f.onload = function () { try { f.contentWindow.print(); } catch (e) { window.open(b.getAttribute("data-print-url")); } };
        document.body.appendChild(f);
      });
    });
    focusFirst();
  });
})();
