// Autocomplete for the header search box (kg.web.search). Optional: without
// this script the box is a plain GET form to /search. Same-origin fetches of
// /search?format=json only; results are written with textContent, never HTML.
(function () {
  "use strict";
  var form = document.querySelector("form.site-search");
  if (!form || !window.fetch) return;
  var input = form.querySelector("input[name=q]");
  var list = form.querySelector(".site-search-list");
  var lang = document.documentElement.lang === "ar" ? "ar" : "en";
  var timer = null, pending = null, active = -1, shown = "";

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function span(text, cls, l) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    if (l) { s.lang = l; s.dir = l === "ar" ? "rtl" : "ltr"; }
    return s;
  }

  function render(data) {
    list.textContent = "";
    active = -1;
    var results = data.results || [];
    if (!results.length) { close(); return; }
    results.forEach(function (r, i) {
      var li = document.createElement("li");
      li.id = "site-search-option-" + i;
      li.setAttribute("role", "option");
      var a = document.createElement("a");
      a.href = r.page;
      a.tabIndex = -1;
      var first = lang === "ar" ? "ar" : "en", second = first === "ar" ? "en" : "ar";
      if (r.label[first]) a.appendChild(span(r.label[first], "label-" + first, first));
      if (r.label[first] && r.label[second]) a.appendChild(span(" · ", "sep"));
      if (r.label[second]) a.appendChild(span(r.label[second], "label-" + second, second));
      var type = (r.types || []).filter(function (t) { return t.curie.indexOf("qn:") === 0; })[0];
      if (type) a.appendChild(span(type.label[lang] || type.label.en || type.curie, "site-search-type"));
      if (r.matched) a.appendChild(span("«" + r.matched + "»", "site-search-matched"));
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function ask() {
    var q = input.value.trim();
    if (q === shown) return;
    shown = q;
    if (!q) { close(); return; }
    if (pending) pending.abort();
    pending = window.AbortController ? new AbortController() : null;
    fetch("/search?format=json&limit=8&q=" + encodeURIComponent(q),
          { headers: { Accept: "application/json" }, signal: pending ? pending.signal : undefined })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) { if (input.value.trim() === q) render(data); })
      .catch(function () {});
  }

  function move(step) {
    var items = list.querySelectorAll("li");
    if (!items.length) return;
    if (active >= 0) items[active].removeAttribute("aria-selected");
    active = (active + 1 + step + items.length + 1) % (items.length + 1) - 1;  // -1 = back in the box
    if (active < 0) { input.removeAttribute("aria-activedescendant"); return; }
    items[active].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", items[active].id);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) { shown = ""; ask(); } else move(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (e.key === "Escape") { close(); }
    else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      window.location.href = list.querySelectorAll("li a")[active].href;
    }
  });
  list.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep focus; the click follows the link
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
