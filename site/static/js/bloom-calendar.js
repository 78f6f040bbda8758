// The bloom calendar on a screen too narrow for the whole year: say that the table scrolls,
// and scroll it so that the current month's column is in view beside the sticky names.
(function () {
  "use strict";
  function showCurrent(region) {
    var hint = document.getElementById(region.getAttribute("aria-describedby"));
    var scrolls = region.scrollWidth > region.clientWidth + 1;
    if (hint) hint.hidden = !scrolls;
    if (!scrolls) return;
    var current = region.querySelector("thead th.is-current");
    var names = region.querySelector("thead th:first-child");
    if (!current) return;
    var stuck = names ? names.offsetWidth : 0;
    var left = current.offsetLeft - stuck - (region.clientWidth - stuck - current.offsetWidth) / 2;
    region.scrollLeft = Math.max(0, left);
  }
  function run() {
    document.querySelectorAll(".table-scroll[data-show-current]").forEach(showCurrent);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
  window.addEventListener("resize", run);
})();
