/* Bubble Machine playground: slider read-outs and links that follow the form (no inline scripts). */
(function () {
  "use strict";
  var form = document.getElementById("whatif-form");

  function query() {
    var fd = new FormData(form), parts = [];
    fd.forEach(function (v, k) {
      if (k === "lang") { return; }
      var el = form.elements[k];
      if (el && el.dataset && el.dataset.default !== undefined && parseFloat(v) === parseFloat(el.dataset.default)) { return; }
      parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(v));
    });
    return parts.join("&");
  }

  function refreshLinks() {
    if (!form) { return; }
    var q = query(), lang = document.body.getAttribute("data-lang");
    var save = document.getElementById("save-toml");
    if (save) { save.setAttribute("href", "/whatif/scenario.toml?" + q); }
    document.querySelectorAll("[data-lang-link]").forEach(function (a) {
      a.setAttribute("href", "/?" + q + (q ? "&" : "") + "lang=" + a.getAttribute("data-lang-link"));
    });
    void lang;
  }

  if (form) {
    form.querySelectorAll("input[type=range]").forEach(function (el) {
      var out = form.querySelector("output[for='" + el.id + "']");
      el.addEventListener("input", function () {
        if (out) { out.textContent = String(parseFloat(el.value)); }
        el.closest(".slider").classList.toggle("changed", parseFloat(el.value) !== parseFloat(el.dataset["default"]));
        refreshLinks();
      });
    });
    form.addEventListener("change", refreshLinks);
    document.body.addEventListener("htmx:pushedIntoHistory", refreshLinks);
    refreshLinks();
  }
})();
