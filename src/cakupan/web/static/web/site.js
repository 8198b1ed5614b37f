// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Fields shown only for some choices: data-show-when="segment:BPU;payer_kind:sponsor" shows the
  // element when any clause matches the current value of the named field.
  function valueOf(form, name) {
    var el = form.elements[name];
    if (!el) return "";
    return el.value || "";
  }

  function matches(form, rule) {
    return rule.split(";").some(function (clause) {
      var parts = clause.split(":");
      var values = (parts[1] || "").split(",");
      return values.indexOf(valueOf(form, parts[0])) !== -1;
    });
  }

  function refresh(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (el) {
      el.hidden = !matches(form, el.getAttribute("data-show-when"));
    });
    // Programmes a segment may not hold are disabled (the server checks again).
    var allowed = form.getAttribute("data-programs-by-segment");
    if (allowed) {
      var table = JSON.parse(allowed);
      var open = table[valueOf(form, "segment")];
      form.querySelectorAll("input[name=programs]").forEach(function (box) {
        var ok = !open || open.indexOf(box.value) !== -1;
        box.disabled = !ok;
        if (!ok) box.checked = false;
      });
    }
  }

  // Filters that apply on change (a period or status select): data-autosubmit on the control. A script
  // file rather than an onchange attribute, which the Content-Security-Policy refuses.
  function autosubmit(root) {
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      if (el.dataset.autosubmitReady) return;
      el.dataset.autosubmitReady = "1";
      el.addEventListener("change", function () { if (el.form) el.form.submit(); });
    });
  }

  function setup(root) {
    autosubmit(root);
    root.querySelectorAll("form[data-dynamic]").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      form.addEventListener("change", function () { refresh(form); });
      refresh(form);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setup(document); });
  document.addEventListener("htmx:afterSwap", function (event) { setup(event.target); });
})();
