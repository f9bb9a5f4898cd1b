/* Bubble Machine charts: draw plotly figures when they scroll into view, in the page's language.
 *
 * Used by the offline report (inlined) and by the web app (served). Figures come from
 * <script type="application/json" class="bm-figures"> blocks: {id: {data, layout, dates,
 * labels: {lang: {names: [...], layout: {path: text}}}}}, plain JSON or, with
 * data-encoding="gzip-base64", compressed (the report). Each figure draws into
 * #plot-<id> the first time that element comes near the viewport (IntersectionObserver),
 * one chart per task so the page stays responsive; switching the language redraws the charts
 * already drawn with the other language's texts. No network access.
 */
(function () {
  "use strict";
  var BM = (window.BM = window.BM || {});
  var FIGS = {};
  var queue = [];
  var pumping = false;
  BM.figures = FIGS;
  BM.drawn = 0;
  BM.lang = document.body.getAttribute("data-lang") || "en";

  var KO_DATES = [
    {dtickrange: [null, 86400000], value: "%-m월 %-d일 %H:%M"},
    {dtickrange: [86400000, 604800000], value: "%-m월 %-d일"},
    {dtickrange: [604800000, "M1"], value: "%-m월 %-d일<br>%Y년"},
    {dtickrange: ["M1", "M12"], value: "%Y년 %-m월"},
    {dtickrange: ["M12", null], value: "%Y년"}
  ];

  function setPath(obj, path, value) {
    var parts = [];
    path.split(".").forEach(function (p) {
      var m = /^([^\[\]]+)((?:\[\d+\])*)$/.exec(p);
      parts.push(m[1]);
      (m[2].match(/\d+/g) || []).forEach(function (i) { parts.push(parseInt(i, 10)); });
    });
    var cur = obj;
    for (var i = 0; i < parts.length - 1; i++) {
      var k = parts[i];
      if (cur[k] === undefined || cur[k] === null) { cur[k] = typeof parts[i + 1] === "number" ? [] : {}; }
      cur = cur[k];
    }
    cur[parts[parts.length - 1]] = value;
  }

  function build(id, lang, el) {
    var f = FIGS[id];
    var L = f.labels[lang] || f.labels[Object.keys(f.labels)[0]];
    var layout = JSON.parse(JSON.stringify(f.layout));
    var data = f.data.map(function (t, i) {
      var c = Object.assign({}, t);
      if (L.names[i]) { c.name = L.names[i]; }
      if (el && el.data && el.data[i] && el.data[i].visible !== undefined) { c.visible = el.data[i].visible; }
      return c;
    });
    Object.keys(L.layout).forEach(function (p) { setPath(layout, p, L.layout[p]); });
    if (el && el.layout && el.layout.updatemenus) {
      (layout.updatemenus || []).forEach(function (m, k) {
        if (el.layout.updatemenus[k]) { m.active = el.layout.updatemenus[k].active; }
      });
    }
    if (f.dates) {
      var xa = layout.xaxis = layout.xaxis || {};
      if (lang === "ko") { xa.tickformatstops = KO_DATES; xa.hoverformat = "%Y년 %-m월 %-d일"; }
      else { xa.hoverformat = xa.hoverformat || "%b %-d, %Y"; }
    }
    if (window.matchMedia && window.matchMedia("(max-width: 640px)").matches) {
      var mg = layout.margin = Object.assign({}, layout.margin || {});
      mg.l = Math.min(mg.l === undefined ? 60 : mg.l, 48);
      mg.r = Math.min(mg.r === undefined ? 40 : mg.r, layout.yaxis2 ? 48 : 12);
      layout.legend = Object.assign({}, layout.legend || {}, {orientation: "h"});
      ["yaxis", "yaxis2", "xaxis"].forEach(function (a) {
        if (layout[a]) { layout[a].automargin = true; }
      });
    }
    return {data: data, layout: layout};
  }

  function config(lang) {
    return {responsive: true, displaylogo: false, locale: lang === "ko" ? "ko" : "en-US",
            modeBarButtonsToRemove: ["select2d", "lasso2d"]};
  }

  function drawNow(el) {
    var id = el.getAttribute("data-fig");
    if (!FIGS[id] || el.getAttribute("data-drawn")) { return; }
    var fig = build(id, BM.lang, null);
    try {
      Plotly.newPlot(el, fig.data, fig.layout, config(BM.lang));
      el.setAttribute("data-drawn", BM.lang);
      BM.drawn += 1;
    } catch (err) {
      el.textContent = "chart " + id + ": " + err;
      if (window.console) { console.error("bubblemachine chart " + id, err); }
    }
  }

  function pump() {
    if (!queue.length) { pumping = false; return; }
    pumping = true;
    drawNow(queue.shift());
    setTimeout(pump, 0);
  }

  function enqueue(el) {
    if (queue.indexOf(el) < 0 && !el.getAttribute("data-drawn")) { queue.push(el); }
    if (!pumping) { pump(); }
  }

  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (e.isIntersecting) { observer.unobserve(e.target); enqueue(e.target); }
    });
  }, {rootMargin: "200px 0px"}) : null;

  function register(figs, root) {
    Object.keys(figs).forEach(function (id) {
      FIGS[id] = figs[id];
      var el = (root || document).querySelector("#plot-" + CSS.escape(id)) || document.getElementById("plot-" + id);
      if (!el) { return; }
      el.removeAttribute("data-drawn");
      if (observer) { observer.observe(el); } else { enqueue(el); }
    });
    document.documentElement.setAttribute("data-bm-charts", "ready");
  }

  function decode(text) {
    var bin = atob(text.trim());
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }

  function load(root) {
    var blocks = (root || document).querySelectorAll("script.bm-figures");
    var jobs = [];
    blocks.forEach(function (s) {
      if (s.getAttribute("data-loaded")) { return; }
      s.setAttribute("data-loaded", "1");
      if (s.getAttribute("data-encoding") === "gzip-base64") {
        jobs.push(decode(s.textContent).then(function (f) { register(f, root); }));
      } else {
        register(JSON.parse(s.textContent), root);
      }
    });
    return Promise.all(jobs);
  }

  BM.setLang = function (lang) {
    BM.lang = lang;
    document.body.setAttribute("data-lang", lang);
    document.documentElement.setAttribute("lang", lang);
    document.querySelectorAll("[data-set-lang]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-set-lang") === lang ? "true" : "false");
    });
    document.querySelectorAll(".plot[data-drawn]").forEach(function (el) {
      var id = el.getAttribute("data-fig");
      if (!FIGS[id] || el.getAttribute("data-drawn") === lang) { return; }
      var fig = build(id, lang, el);
      Plotly.react(el, fig.data, fig.layout, config(lang));
      el.setAttribute("data-drawn", lang);
    });
  };

  /* Draw every chart now (printing, screenshots, tests). */
  BM.drawAll = function () {
    document.querySelectorAll(".plot[data-fig]").forEach(function (el) {
      if (observer) { observer.unobserve(el); }
      drawNow(el);
    });
  };

  BM.ready = load(document).catch(function (err) {
    document.querySelectorAll(".plot[data-fig]").forEach(function (el) { el.textContent = String(err); });
    if (window.console) { console.error("bubblemachine figures", err); }
  });

  window.addEventListener("beforeprint", BM.drawAll);
  document.addEventListener("htmx:afterSettle", function () { load(document); });
  document.querySelectorAll("[data-set-lang]").forEach(function (b) {
    b.addEventListener("click", function () {
      var lang = b.getAttribute("data-set-lang");
      BM.setLang(lang);
      if (history.replaceState) { history.replaceState(null, "", "#lang=" + lang); }
    });
  });
  var fromHash = /(?:^#|&)lang=(ko|en)\b/.exec(location.hash);
  if (fromHash && fromHash[1] !== BM.lang) { BM.setLang(fromHash[1]); }
})();
