// kg preview: reload the page when a seed file is saved (the server's
// /digest changes), keeping the scroll position. Runs while the files do not
// validate: the page is rendered from them as they are.
(function () {
  "use strict";
  var shown = document.body.getAttribute("data-digest");
  var live = document.getElementById("live");
  var key = "kg-preview-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    window.scrollTo(0, parseInt(saved, 10) || 0);
    sessionStorage.removeItem(key);
  }
  function poll() {
    fetch("/digest", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (live) { live.className = "live"; }
        if (d.digest !== shown) {
          sessionStorage.setItem(key, String(window.scrollY));
          location.reload();
          return;
        }
        setTimeout(poll, 700);
      })
      .catch(function () {
        if (live) { live.className = "live down"; }  // the preview server stopped: keep trying
        setTimeout(poll, 2000);
      });
  }
  setTimeout(poll, 700);
})();
