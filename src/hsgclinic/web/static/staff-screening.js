/* Screening form: ask the server for each rule's outcome as the form is filled in (nothing is stored). */
(function () {
  "use strict";
  var form = document.querySelector("[data-screening-form]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var box = form.querySelector("[data-live-outcome]");
  var timer = null;
  function esc(s) { var d = document.createElement("div"); d.textContent = s; return d.innerHTML; }
  function badge(o) {
    var label = form.getAttribute("data-label-" + o.toLowerCase()) || o;
    return '<span class="badge badge-' + o.toLowerCase() + '">' + esc(label) + "</span>";
  }
  function show(data) {
    if (!data.complete) { return; }
    var html = "<p>" + badge(data.outcome) + '</p><ul class="findings">';
    data.findings.forEach(function (f) {
      html += '<li class="finding finding-' + f.outcome.toLowerCase() + '">' + badge(f.outcome) +
        '<span class="finding-text">' + esc(f.text) + '</span><code class="rule-id">' + esc(f.rule) + "</code></li>";
    });
    box.innerHTML = html + "</ul>";
  }
  function ask() {
    var body = new FormData(form);
    fetch(form.getAttribute("data-preview-url"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* the Check button still works */ });
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 400); });
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(ask, 150); });
})();
